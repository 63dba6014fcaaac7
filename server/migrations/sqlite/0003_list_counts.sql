-- Row counts of the mgr lists, kept by triggers in the same transaction as the change, so a
-- page's `total` is a read of one small indexed row instead of COUNT(*) over the whole table
-- (which grows linearly: about 20 ms at a million rows). `slot` spreads concurrent writers over
-- several rows on PostgreSQL; SQLite has one writer at a time and uses slot 0 only. The total
-- of a table is the sum over its slots.
CREATE TABLE mgr_row_count (
    table_name TEXT    NOT NULL,
    slot       INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    CONSTRAINT mgr_row_count_pkey PRIMARY KEY (table_name, slot)
);
INSERT INTO mgr_row_count (table_name, slot, n)
    SELECT 'mgr_customer', 0, COUNT(*) FROM mgr_customer
    UNION ALL SELECT 'mgr_medicine', 0, COUNT(*) FROM mgr_medicine
    UNION ALL SELECT 'mgr_order', 0, COUNT(*) FROM mgr_order;

CREATE TRIGGER mgr_customer_count_insert AFTER INSERT ON mgr_customer BEGIN
    UPDATE mgr_row_count SET n = n + 1 WHERE table_name = 'mgr_customer' AND slot = 0;
END;
CREATE TRIGGER mgr_customer_count_delete AFTER DELETE ON mgr_customer BEGIN
    UPDATE mgr_row_count SET n = n - 1 WHERE table_name = 'mgr_customer' AND slot = 0;
END;
CREATE TRIGGER mgr_medicine_count_insert AFTER INSERT ON mgr_medicine BEGIN
    UPDATE mgr_row_count SET n = n + 1 WHERE table_name = 'mgr_medicine' AND slot = 0;
END;
CREATE TRIGGER mgr_medicine_count_delete AFTER DELETE ON mgr_medicine BEGIN
    UPDATE mgr_row_count SET n = n - 1 WHERE table_name = 'mgr_medicine' AND slot = 0;
END;
CREATE TRIGGER mgr_order_count_insert AFTER INSERT ON mgr_order BEGIN
    UPDATE mgr_row_count SET n = n + 1 WHERE table_name = 'mgr_order' AND slot = 0;
END;
CREATE TRIGGER mgr_order_count_delete AFTER DELETE ON mgr_order BEGIN
    UPDATE mgr_row_count SET n = n - 1 WHERE table_name = 'mgr_order' AND slot = 0;
END;

-- 部门待审批 (/dept/list): a department's submitted orders, oldest first, read in index order
-- instead of sorting every pending order of the department.
CREATE INDEX procurement_order_pending_idx
    ON procurement_order (department_id, status, apply_date, created_at, id);
