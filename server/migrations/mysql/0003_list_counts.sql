-- Row counts of the mgr lists, kept by triggers in the same transaction as the change, so a
-- page's `total` is a read of a few small indexed rows instead of COUNT(*) over the whole table
-- (which grows linearly with it). `slot` spreads concurrent writers over 16 rows (by connection
-- id), so inserts do not queue on one counter row until commit. The total of a table is the
-- sum over its slots. MySQL has row-level triggers only: one counter update per changed row.
-- Rows removed by a foreign key's cascade fire no trigger in MySQL; no counted table is the
-- child of a cascade.
CREATE TABLE mgr_row_count (
    table_name VARCHAR(64) NOT NULL,
    slot       BIGINT      NOT NULL,
    n          BIGINT      NOT NULL,
    CONSTRAINT mgr_row_count_pkey PRIMARY KEY (table_name, slot)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO mgr_row_count (table_name, slot, n)
    SELECT 'mgr_customer', 0, COUNT(*) FROM mgr_customer
    UNION ALL SELECT 'mgr_medicine', 0, COUNT(*) FROM mgr_medicine
    UNION ALL SELECT 'mgr_order', 0, COUNT(*) FROM mgr_order;

CREATE TRIGGER mgr_customer_count_insert AFTER INSERT ON mgr_customer FOR EACH ROW
    INSERT INTO mgr_row_count (table_name, slot, n) VALUES ('mgr_customer', CONNECTION_ID() % 16, 1)
    ON DUPLICATE KEY UPDATE n = n + 1;
CREATE TRIGGER mgr_customer_count_delete AFTER DELETE ON mgr_customer FOR EACH ROW
    INSERT INTO mgr_row_count (table_name, slot, n) VALUES ('mgr_customer', CONNECTION_ID() % 16, -1)
    ON DUPLICATE KEY UPDATE n = n - 1;
CREATE TRIGGER mgr_medicine_count_insert AFTER INSERT ON mgr_medicine FOR EACH ROW
    INSERT INTO mgr_row_count (table_name, slot, n) VALUES ('mgr_medicine', CONNECTION_ID() % 16, 1)
    ON DUPLICATE KEY UPDATE n = n + 1;
CREATE TRIGGER mgr_medicine_count_delete AFTER DELETE ON mgr_medicine FOR EACH ROW
    INSERT INTO mgr_row_count (table_name, slot, n) VALUES ('mgr_medicine', CONNECTION_ID() % 16, -1)
    ON DUPLICATE KEY UPDATE n = n - 1;
CREATE TRIGGER mgr_order_count_insert AFTER INSERT ON mgr_order FOR EACH ROW
    INSERT INTO mgr_row_count (table_name, slot, n) VALUES ('mgr_order', CONNECTION_ID() % 16, 1)
    ON DUPLICATE KEY UPDATE n = n + 1;
CREATE TRIGGER mgr_order_count_delete AFTER DELETE ON mgr_order FOR EACH ROW
    INSERT INTO mgr_row_count (table_name, slot, n) VALUES ('mgr_order', CONNECTION_ID() % 16, -1)
    ON DUPLICATE KEY UPDATE n = n - 1;

-- 部门待审批 (/dept/list): a department's submitted orders, oldest first, read in index order
-- instead of sorting every pending order of the department.
CREATE INDEX procurement_order_pending_idx
    ON procurement_order (department_id, status, apply_date, created_at, id);
