-- Orders per status, kept by triggers in the same transaction as every write of an order (an
-- insert, a status change: submission, approval, denial, recall, soft delete, restore; a delete),
-- so the total of a search that nothing but the status restricts (the admin's and institution
-- leaders' unfiltered lists, the deleted orders, the institution's pending orders) is a read of
-- a few small rows instead of COUNT(*) over every order. The total of a status is the sum over
-- its slots.
--
-- Lock order, the same for every writer of an order, so concurrent writes cannot deadlock: the
-- order's row first (the statement that fires the trigger holds it), then the count rows of
-- the statuses it leaves and enters, in ascending status order. Every transaction writes at
-- most one order, and takes no order lock after a count lock.
--
-- `slot` spreads concurrent writers over 16 rows per status (by connection id), so they do not
-- queue on one count row until commit. Every (status, slot) row exists from the start, so a
-- trigger's upsert always meets an existing row: InnoDB then locks that record (and the gap
-- before it, for the duplicate check) and never inserts, so there are no insert-intention
-- waits between writers. MySQL has row-level triggers only; a status change writes its two
-- rows in one statement, ordered by status (`INSERT ... SELECT ... ORDER BY` inserts in that
-- order). A row update that keeps the status writes nothing. Rows removed by a foreign key's
-- cascade fire no trigger in MySQL; orders are never the child of a cascade.
CREATE TABLE procurement_order_count (
    status BIGINT NOT NULL,
    slot   BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    CONSTRAINT procurement_order_count_pkey PRIMARY KEY (status, slot)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO procurement_order_count (status, slot, n) VALUES
    (-1, 0, 0), (-1, 1, 0), (-1, 2, 0), (-1, 3, 0), (-1, 4, 0), (-1, 5, 0), (-1, 6, 0), (-1, 7, 0), (-1, 8, 0), (-1, 9, 0), (-1, 10, 0), (-1, 11, 0), (-1, 12, 0), (-1, 13, 0), (-1, 14, 0), (-1, 15, 0),
    (0, 0, 0), (0, 1, 0), (0, 2, 0), (0, 3, 0), (0, 4, 0), (0, 5, 0), (0, 6, 0), (0, 7, 0), (0, 8, 0), (0, 9, 0), (0, 10, 0), (0, 11, 0), (0, 12, 0), (0, 13, 0), (0, 14, 0), (0, 15, 0),
    (1, 0, 0), (1, 1, 0), (1, 2, 0), (1, 3, 0), (1, 4, 0), (1, 5, 0), (1, 6, 0), (1, 7, 0), (1, 8, 0), (1, 9, 0), (1, 10, 0), (1, 11, 0), (1, 12, 0), (1, 13, 0), (1, 14, 0), (1, 15, 0),
    (2, 0, 0), (2, 1, 0), (2, 2, 0), (2, 3, 0), (2, 4, 0), (2, 5, 0), (2, 6, 0), (2, 7, 0), (2, 8, 0), (2, 9, 0), (2, 10, 0), (2, 11, 0), (2, 12, 0), (2, 13, 0), (2, 14, 0), (2, 15, 0),
    (3, 0, 0), (3, 1, 0), (3, 2, 0), (3, 3, 0), (3, 4, 0), (3, 5, 0), (3, 6, 0), (3, 7, 0), (3, 8, 0), (3, 9, 0), (3, 10, 0), (3, 11, 0), (3, 12, 0), (3, 13, 0), (3, 14, 0), (3, 15, 0);
UPDATE procurement_order_count c
    JOIN (SELECT status, COUNT(*) AS n FROM procurement_order GROUP BY status) AS counted
        ON counted.status = c.status
    SET c.n = counted.n
    WHERE c.slot = 0;

CREATE TRIGGER procurement_order_count_insert AFTER INSERT ON procurement_order FOR EACH ROW
    INSERT INTO procurement_order_count (status, slot, n) VALUES (NEW.status, CONNECTION_ID() % 16, 1)
    ON DUPLICATE KEY UPDATE n = n + 1;
CREATE TRIGGER procurement_order_count_update AFTER UPDATE ON procurement_order FOR EACH ROW
    INSERT INTO procurement_order_count (status, slot, n)
        SELECT changes.status, CONNECTION_ID() % 16, changes.delta FROM (
            SELECT OLD.status AS status, -1 AS delta
            UNION ALL SELECT NEW.status, 1
        ) AS changes
        WHERE OLD.status <> NEW.status
        ORDER BY changes.status
    ON DUPLICATE KEY UPDATE n = n + VALUES(n);
CREATE TRIGGER procurement_order_count_delete AFTER DELETE ON procurement_order FOR EACH ROW
    INSERT INTO procurement_order_count (status, slot, n) VALUES (OLD.status, CONNECTION_ID() % 16, -1)
    ON DUPLICATE KEY UPDATE n = n - 1;
