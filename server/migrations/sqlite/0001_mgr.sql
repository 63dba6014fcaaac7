-- mgr API: accounts, sessions, profiles, customers, medicines, orders and their lines.
-- Integers are INTEGER (64-bit), flags 0/1, instants unix seconds (see src/db.rs).

CREATE TABLE mgr_account (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    is_superuser  INTEGER NOT NULL DEFAULT 0,
    is_active     INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    CONSTRAINT mgr_account_username_key UNIQUE (username),
    CONSTRAINT mgr_account_is_superuser_check CHECK (is_superuser IN (0, 1)),
    CONSTRAINT mgr_account_is_active_check CHECK (is_active IN (0, 1))
);

CREATE TABLE mgr_session (
    id         TEXT    NOT NULL,
    account_id INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    CONSTRAINT mgr_session_pkey PRIMARY KEY (id),
    CONSTRAINT mgr_session_account_fkey FOREIGN KEY (account_id)
        REFERENCES mgr_account (id) ON DELETE CASCADE
);
CREATE INDEX mgr_session_account_idx ON mgr_session (account_id);

CREATE TABLE mgr_profile (
    account_id INTEGER NOT NULL,
    nickname   TEXT,
    birthdate  TEXT,
    bio        TEXT,
    CONSTRAINT mgr_profile_pkey PRIMARY KEY (account_id),
    CONSTRAINT mgr_profile_account_fkey FOREIGN KEY (account_id)
        REFERENCES mgr_account (id) ON DELETE CASCADE
);

CREATE TABLE mgr_customer (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    phonenumber TEXT NOT NULL,
    address     TEXT NOT NULL
);

CREATE TABLE mgr_medicine (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    name   TEXT NOT NULL,
    "desc" TEXT NOT NULL,
    sn     TEXT NOT NULL,
    CONSTRAINT mgr_medicine_name_key UNIQUE (name)
);

CREATE TABLE mgr_order (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    create_date TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    CONSTRAINT mgr_order_customer_fkey FOREIGN KEY (customer_id)
        REFERENCES mgr_customer (id) ON DELETE RESTRICT
);
CREATE INDEX mgr_order_customer_idx ON mgr_order (customer_id);

CREATE TABLE mgr_order_medicine (
    order_id    INTEGER NOT NULL,
    medicine_id INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    CONSTRAINT mgr_order_medicine_pkey PRIMARY KEY (order_id, medicine_id),
    CONSTRAINT mgr_order_medicine_order_fkey FOREIGN KEY (order_id)
        REFERENCES mgr_order (id) ON DELETE CASCADE,
    CONSTRAINT mgr_order_medicine_medicine_fkey FOREIGN KEY (medicine_id)
        REFERENCES mgr_medicine (id) ON DELETE RESTRICT,
    CONSTRAINT mgr_order_medicine_amount_check CHECK (amount >= 0)
);
CREATE INDEX mgr_order_medicine_medicine_idx ON mgr_order_medicine (medicine_id);
