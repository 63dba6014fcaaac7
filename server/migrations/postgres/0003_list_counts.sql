-- Row counts of the mgr lists, kept by triggers in the same transaction as the change, so a
-- page's `total` is a read of a few small indexed rows instead of COUNT(*) over the whole table
-- (which grows linearly with it). `slot` spreads concurrent writers over 16 rows (by backend
-- process id), so inserts do not queue on one counter row until commit; SQLite has one writer at
-- a time and uses slot 0 only. The total of a table is the sum over its slots.
CREATE TABLE mgr_row_count (
    table_name TEXT   NOT NULL,
    slot       BIGINT NOT NULL,
    n          BIGINT NOT NULL,
    CONSTRAINT mgr_row_count_pkey PRIMARY KEY (table_name, slot)
);
INSERT INTO mgr_row_count (table_name, slot, n)
    SELECT 'mgr_customer', 0, COUNT(*) FROM mgr_customer
    UNION ALL SELECT 'mgr_medicine', 0, COUNT(*) FROM mgr_medicine
    UNION ALL SELECT 'mgr_order', 0, COUNT(*) FROM mgr_order;

-- Statement-level triggers: one counter update per statement, however many rows it touched.
CREATE FUNCTION mgr_row_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mgr_row_count (table_name, slot, n)
        SELECT TG_TABLE_NAME, pg_backend_pid() % 16, COUNT(*) FROM inserted_rows
        ON CONFLICT (table_name, slot) DO UPDATE SET n = mgr_row_count.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE FUNCTION mgr_row_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mgr_row_count (table_name, slot, n)
        SELECT TG_TABLE_NAME, pg_backend_pid() % 16, -COUNT(*) FROM deleted_rows
        ON CONFLICT (table_name, slot) DO UPDATE SET n = mgr_row_count.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER mgr_customer_count_insert AFTER INSERT ON mgr_customer
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION mgr_row_count_inserted();
CREATE TRIGGER mgr_customer_count_delete AFTER DELETE ON mgr_customer
    REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION mgr_row_count_deleted();
CREATE TRIGGER mgr_medicine_count_insert AFTER INSERT ON mgr_medicine
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION mgr_row_count_inserted();
CREATE TRIGGER mgr_medicine_count_delete AFTER DELETE ON mgr_medicine
    REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION mgr_row_count_deleted();
CREATE TRIGGER mgr_order_count_insert AFTER INSERT ON mgr_order
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION mgr_row_count_inserted();
CREATE TRIGGER mgr_order_count_delete AFTER DELETE ON mgr_order
    REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION mgr_row_count_deleted();

-- 部门待审批 (/dept/list): a department's submitted orders, oldest first, read in index order
-- instead of sorting every pending order of the department.
CREATE INDEX procurement_order_pending_idx
    ON procurement_order (department_id, status, apply_date, created_at, id);
