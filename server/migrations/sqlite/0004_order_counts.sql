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
-- SQLite has one writer at a time and uses slot 0 only.
CREATE TABLE procurement_order_count (
    status INTEGER NOT NULL,
    slot   INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    CONSTRAINT procurement_order_count_pkey PRIMARY KEY (status, slot)
);
INSERT INTO procurement_order_count (status, slot, n) VALUES (-1, 0, 0), (0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0);
UPDATE procurement_order_count
    SET n = (SELECT COUNT(*) FROM procurement_order o WHERE o.status = procurement_order_count.status);

CREATE TRIGGER procurement_order_count_insert AFTER INSERT ON procurement_order BEGIN
    INSERT INTO procurement_order_count (status, slot, n) VALUES (NEW.status, 0, 1)
        ON CONFLICT (status, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER procurement_order_count_update AFTER UPDATE OF status ON procurement_order
    WHEN OLD.status <> NEW.status BEGIN
    INSERT INTO procurement_order_count (status, slot, n) VALUES (OLD.status, 0, -1)
        ON CONFLICT (status, slot) DO UPDATE SET n = n - 1;
    INSERT INTO procurement_order_count (status, slot, n) VALUES (NEW.status, 0, 1)
        ON CONFLICT (status, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER procurement_order_count_delete AFTER DELETE ON procurement_order BEGIN
    INSERT INTO procurement_order_count (status, slot, n) VALUES (OLD.status, 0, -1)
        ON CONFLICT (status, slot) DO UPDATE SET n = n - 1;
END;
