-- procurement API: departments, roles, users, live tokens, settings, orders, their lines,
-- per-year-per-department order counters, signatures and notices.
-- Integers are INTEGER (64-bit), flags 0/1, instants unix seconds, calendar dates YYYY-MM-DD
-- text, amounts decimal text (see src/db.rs and src/procurement/store.rs).

CREATE TABLE procurement_department (
    id   TEXT NOT NULL,
    name TEXT NOT NULL,
    CONSTRAINT procurement_department_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_department_name_key UNIQUE (name)
);
INSERT INTO procurement_department (id, name) VALUES
    ('01', '办公室'), ('02', '财务部'), ('03', '指导中心'), ('04', '招生部'), ('05', '规划部'),
    ('06', '研究中心'), ('07', '教学部'), ('08', '资源部'), ('09', '技术部'), ('10', '培训中心');

CREATE TABLE procurement_role (
    id   INTEGER NOT NULL,
    name TEXT    NOT NULL,
    code TEXT    NOT NULL,
    CONSTRAINT procurement_role_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_role_name_key UNIQUE (name)
);
INSERT INTO procurement_role (id, name, code) VALUES
    (1, '管理员', 'ADMIN'), (2, '主管院领导', 'INSTLEAD'), (3, '部门领导', 'DEPTLEAD'), (4, '普通用户', 'USER');

CREATE TABLE procurement_user (
    id                  TEXT    NOT NULL,
    username            TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    department_id       TEXT    NOT NULL,
    role_id             INTEGER NOT NULL,
    is_active           INTEGER NOT NULL DEFAULT 1,
    expires_at          INTEGER,
    password_changed_at INTEGER NOT NULL,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER,
    created_at          INTEGER NOT NULL,
    CONSTRAINT procurement_user_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_user_department_fkey FOREIGN KEY (department_id)
        REFERENCES procurement_department (id) ON DELETE RESTRICT,
    CONSTRAINT procurement_user_role_fkey FOREIGN KEY (role_id)
        REFERENCES procurement_role (id) ON DELETE RESTRICT,
    CONSTRAINT procurement_user_is_active_check CHECK (is_active IN (0, 1))
);
CREATE INDEX procurement_user_department_role_idx ON procurement_user (department_id, role_id);

-- One live token per user: the JWT id of the only token that is accepted.
CREATE TABLE procurement_token (
    user_id    TEXT    NOT NULL,
    jti        TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    CONSTRAINT procurement_token_pkey PRIMARY KEY (user_id),
    CONSTRAINT procurement_token_user_fkey FOREIGN KEY (user_id)
        REFERENCES procurement_user (id) ON DELETE CASCADE
);

-- Server settings kept in the database (the generated JWT secret).
CREATE TABLE procurement_setting (
    name  TEXT NOT NULL,
    value TEXT NOT NULL,
    CONSTRAINT procurement_setting_pkey PRIMARY KEY (name)
);

CREATE TABLE procurement_order_counter (
    year          INTEGER NOT NULL,
    department_id TEXT    NOT NULL,
    last          INTEGER NOT NULL,
    CONSTRAINT procurement_order_counter_pkey PRIMARY KEY (year, department_id)
);

CREATE TABLE procurement_order (
    id                TEXT    NOT NULL,
    department_id     TEXT    NOT NULL,
    apply_user        TEXT    NOT NULL,
    fund_code         TEXT    NOT NULL,
    apply_date        TEXT,
    total             TEXT    NOT NULL,
    status            INTEGER NOT NULL,
    previous_status   INTEGER,
    ever_submitted    INTEGER NOT NULL DEFAULT 0,
    user_id           TEXT    NOT NULL,
    withdrawal_reason TEXT,
    version           INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CONSTRAINT procurement_order_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_order_department_fkey FOREIGN KEY (department_id)
        REFERENCES procurement_department (id) ON DELETE RESTRICT,
    CONSTRAINT procurement_order_user_fkey FOREIGN KEY (user_id)
        REFERENCES procurement_user (id) ON DELETE RESTRICT,
    CONSTRAINT procurement_order_status_check CHECK (status IN (-1, 0, 1, 2, 3))
);
CREATE INDEX procurement_order_created_idx ON procurement_order (created_at, id);
CREATE INDEX procurement_order_department_status_idx ON procurement_order (department_id, status);
CREATE INDEX procurement_order_status_idx ON procurement_order (status, updated_at);
CREATE INDEX procurement_order_user_idx ON procurement_order (user_id, created_at);

CREATE TABLE procurement_order_line (
    id               TEXT    NOT NULL,
    order_id         TEXT    NOT NULL,
    seq              INTEGER NOT NULL,
    name             TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    configuration    TEXT    NOT NULL,
    unit             TEXT    NOT NULL,
    quantity         INTEGER NOT NULL,
    budget_unit_price  TEXT  NOT NULL,
    budget_total_price TEXT  NOT NULL,
    reason           TEXT    NOT NULL,
    new_user         TEXT    NOT NULL,
    CONSTRAINT procurement_order_line_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_order_line_order_fkey FOREIGN KEY (order_id)
        REFERENCES procurement_order (id) ON DELETE CASCADE,
    CONSTRAINT procurement_order_line_seq_key UNIQUE (order_id, seq),
    CONSTRAINT procurement_order_line_quantity_check CHECK (quantity >= 1)
);

-- The signed form of an order, base64 text (portable across both backends).
CREATE TABLE procurement_signature (
    order_id     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    uploaded_at  INTEGER NOT NULL,
    CONSTRAINT procurement_signature_pkey PRIMARY KEY (order_id),
    CONSTRAINT procurement_signature_order_fkey FOREIGN KEY (order_id)
        REFERENCES procurement_order (id) ON DELETE CASCADE
);

CREATE TABLE procurement_notice (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT    NOT NULL,
    order_id   TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    content    TEXT    NOT NULL,
    unread     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    CONSTRAINT procurement_notice_user_fkey FOREIGN KEY (user_id)
        REFERENCES procurement_user (id) ON DELETE CASCADE,
    CONSTRAINT procurement_notice_unread_check CHECK (unread IN (0, 1))
);
CREATE INDEX procurement_notice_user_unread_idx ON procurement_notice (user_id, unread);
