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
-- `slot` spreads concurrent writers over 16 rows per status (by backend process id), so they do
-- not queue on one count row until commit. Every (status, slot) row exists from the start, so a
-- trigger only ever updates an existing row. Statement-level triggers write each status's net
-- change once per statement, ordered by status (`INSERT ... SELECT ... ORDER BY` inserts, and
-- so locks, in that order); a statement that changes no status (a version bump) writes nothing.
CREATE TABLE procurement_order_count (
    status BIGINT NOT NULL,
    slot   BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    CONSTRAINT procurement_order_count_pkey PRIMARY KEY (status, slot)
);
INSERT INTO procurement_order_count (status, slot, n)
    SELECT s.status, slots.slot, 0
    FROM (VALUES (-1), (0), (1), (2), (3)) AS s (status)
    CROSS JOIN generate_series(0, 15) AS slots (slot);
UPDATE procurement_order_count c SET n = counted.n
    FROM (SELECT status, COUNT(*) AS n FROM procurement_order GROUP BY status) AS counted
    WHERE c.status = counted.status AND c.slot = 0;

CREATE FUNCTION procurement_order_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO procurement_order_count (status, slot, n)
        SELECT status, pg_backend_pid() % 16, COUNT(*) FROM inserted_rows
        GROUP BY status ORDER BY status
        ON CONFLICT (status, slot) DO UPDATE SET n = procurement_order_count.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE FUNCTION procurement_order_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO procurement_order_count (status, slot, n)
        SELECT status, pg_backend_pid() % 16, SUM(delta) FROM (
            SELECT status, -1 AS delta FROM old_rows
            UNION ALL SELECT status, 1 AS delta FROM new_rows
        ) AS changes
        GROUP BY status HAVING SUM(delta) <> 0 ORDER BY status
        ON CONFLICT (status, slot) DO UPDATE SET n = procurement_order_count.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE FUNCTION procurement_order_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO procurement_order_count (status, slot, n)
        SELECT status, pg_backend_pid() % 16, -COUNT(*) FROM deleted_rows
        GROUP BY status ORDER BY status
        ON CONFLICT (status, slot) DO UPDATE SET n = procurement_order_count.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER procurement_order_count_insert AFTER INSERT ON procurement_order
    REFERENCING NEW TABLE AS inserted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION procurement_order_count_inserted();
CREATE TRIGGER procurement_order_count_update AFTER UPDATE ON procurement_order
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION procurement_order_count_updated();
CREATE TRIGGER procurement_order_count_delete AFTER DELETE ON procurement_order
    REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION procurement_order_count_deleted();
