-- mgr API: accounts, sessions, profiles, customers, medicines, orders and their lines.
-- MySQL 8 / MariaDB 10.5+. Integers are BIGINT, flags 0/1, instants unix seconds (see
-- src/db.rs). Every table is InnoDB (transactions, foreign keys, crash recovery) with binary
-- UTF-8 collation, so text compares and sorts byte for byte as on SQLite and PostgreSQL.
-- Keys and other indexed text are VARCHAR of a bounded length; free text is LONGTEXT, because
-- the API bounds only the request body and strict mode refuses a value that does not fit.

CREATE TABLE mgr_account (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    username      VARCHAR(150) NOT NULL,
    password_hash LONGTEXT     NOT NULL,
    is_superuser  BIGINT       NOT NULL DEFAULT 0,
    is_active     BIGINT       NOT NULL DEFAULT 1,
    created_at    BIGINT       NOT NULL,
    CONSTRAINT mgr_account_pkey PRIMARY KEY (id),
    CONSTRAINT mgr_account_username_key UNIQUE (username),
    CONSTRAINT mgr_account_is_superuser_check CHECK (is_superuser IN (0, 1)),
    CONSTRAINT mgr_account_is_active_check CHECK (is_active IN (0, 1))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE mgr_session (
    id         VARCHAR(128) NOT NULL,
    account_id BIGINT       NOT NULL,
    expires_at BIGINT       NOT NULL,
    CONSTRAINT mgr_session_pkey PRIMARY KEY (id),
    CONSTRAINT mgr_session_account_fkey FOREIGN KEY (account_id)
        REFERENCES mgr_account (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX mgr_session_account_idx ON mgr_session (account_id);

CREATE TABLE mgr_profile (
    account_id BIGINT   NOT NULL,
    nickname   LONGTEXT,
    birthdate  LONGTEXT,
    bio        LONGTEXT,
    CONSTRAINT mgr_profile_pkey PRIMARY KEY (account_id),
    CONSTRAINT mgr_profile_account_fkey FOREIGN KEY (account_id)
        REFERENCES mgr_account (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE mgr_customer (
    id          BIGINT   NOT NULL AUTO_INCREMENT,
    name        LONGTEXT NOT NULL,
    phonenumber LONGTEXT NOT NULL,
    address     LONGTEXT NOT NULL,
    CONSTRAINT mgr_customer_pkey PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- A medicine's name is unbounded free text, longer than an index key may be: uniqueness is
-- kept on its SHA-256 (a stored generated column), which also compares exactly (no PAD SPACE).
CREATE TABLE mgr_medicine (
    id        BIGINT     NOT NULL AUTO_INCREMENT,
    name      LONGTEXT   NOT NULL,
    `desc`    LONGTEXT   NOT NULL,
    sn        LONGTEXT   NOT NULL,
    name_hash BINARY(32) AS (UNHEX(SHA2(name, 256))) STORED,
    CONSTRAINT mgr_medicine_pkey PRIMARY KEY (id),
    CONSTRAINT mgr_medicine_name_key UNIQUE (name_hash)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE mgr_order (
    id          BIGINT      NOT NULL AUTO_INCREMENT,
    name        LONGTEXT    NOT NULL,
    create_date VARCHAR(10) NOT NULL,
    created_at  BIGINT      NOT NULL,
    customer_id BIGINT      NOT NULL,
    CONSTRAINT mgr_order_pkey PRIMARY KEY (id),
    CONSTRAINT mgr_order_customer_fkey FOREIGN KEY (customer_id)
        REFERENCES mgr_customer (id) ON DELETE RESTRICT
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX mgr_order_customer_idx ON mgr_order (customer_id);

CREATE TABLE mgr_order_medicine (
    order_id    BIGINT NOT NULL,
    medicine_id BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    CONSTRAINT mgr_order_medicine_pkey PRIMARY KEY (order_id, medicine_id),
    CONSTRAINT mgr_order_medicine_order_fkey FOREIGN KEY (order_id)
        REFERENCES mgr_order (id) ON DELETE CASCADE,
    CONSTRAINT mgr_order_medicine_medicine_fkey FOREIGN KEY (medicine_id)
        REFERENCES mgr_medicine (id) ON DELETE RESTRICT,
    CONSTRAINT mgr_order_medicine_amount_check CHECK (amount >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX mgr_order_medicine_medicine_idx ON mgr_order_medicine (medicine_id);
