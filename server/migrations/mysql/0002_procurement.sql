-- procurement API: departments, roles, users, live tokens, settings, orders, their lines,
-- per-year-per-department order counters, signatures and notices.
-- MySQL 8 / MariaDB 10.5+, InnoDB, binary UTF-8 collation (see 0001_mgr.sql). Integers are
-- BIGINT, flags 0/1, instants unix seconds, calendar dates YYYY-MM-DD text, amounts decimal
-- text (see src/db.rs and src/procurement/store.rs).

CREATE TABLE procurement_department (
    id   VARCHAR(16) NOT NULL,
    name VARCHAR(64) NOT NULL,
    CONSTRAINT procurement_department_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_department_name_key UNIQUE (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO procurement_department (id, name) VALUES
    ('01', '办公室'), ('02', '财务部'), ('03', '指导中心'), ('04', '招生部'), ('05', '规划部'),
    ('06', '研究中心'), ('07', '教学部'), ('08', '资源部'), ('09', '技术部'), ('10', '培训中心');

CREATE TABLE procurement_role (
    id   BIGINT      NOT NULL,
    name VARCHAR(64) NOT NULL,
    code VARCHAR(16) NOT NULL,
    CONSTRAINT procurement_role_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_role_name_key UNIQUE (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO procurement_role (id, name, code) VALUES
    (1, '管理员', 'ADMIN'), (2, '主管院领导', 'INSTLEAD'), (3, '部门领导', 'DEPTLEAD'), (4, '普通用户', 'USER');

CREATE TABLE procurement_user (
    id                  VARCHAR(32) NOT NULL,
    username            LONGTEXT    NOT NULL,
    password_hash       LONGTEXT    NOT NULL,
    department_id       VARCHAR(16) NOT NULL,
    role_id             BIGINT      NOT NULL,
    is_active           BIGINT      NOT NULL DEFAULT 1,
    expires_at          BIGINT,
    password_changed_at BIGINT      NOT NULL,
    failed_logins       BIGINT      NOT NULL DEFAULT 0,
    locked_until        BIGINT,
    created_at          BIGINT      NOT NULL,
    CONSTRAINT procurement_user_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_user_department_fkey FOREIGN KEY (department_id)
        REFERENCES procurement_department (id) ON DELETE RESTRICT,
    CONSTRAINT procurement_user_role_fkey FOREIGN KEY (role_id)
        REFERENCES procurement_role (id) ON DELETE RESTRICT,
    CONSTRAINT procurement_user_is_active_check CHECK (is_active IN (0, 1))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX procurement_user_department_role_idx ON procurement_user (department_id, role_id);

-- One live token per user: the JWT id of the only token that is accepted.
CREATE TABLE procurement_token (
    user_id    VARCHAR(32) NOT NULL,
    jti        VARCHAR(64) NOT NULL,
    expires_at BIGINT      NOT NULL,
    CONSTRAINT procurement_token_pkey PRIMARY KEY (user_id),
    CONSTRAINT procurement_token_user_fkey FOREIGN KEY (user_id)
        REFERENCES procurement_user (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Server settings kept in the database (the generated JWT secret).
CREATE TABLE procurement_setting (
    name  VARCHAR(64) NOT NULL,
    value LONGTEXT    NOT NULL,
    CONSTRAINT procurement_setting_pkey PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE procurement_order_counter (
    year          BIGINT      NOT NULL,
    department_id VARCHAR(16) NOT NULL,
    last          BIGINT      NOT NULL,
    CONSTRAINT procurement_order_counter_pkey PRIMARY KEY (year, department_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE procurement_order (
    id                VARCHAR(64) NOT NULL,
    department_id     VARCHAR(16) NOT NULL,
    apply_user        LONGTEXT    NOT NULL,
    fund_code         LONGTEXT    NOT NULL,
    apply_date        VARCHAR(10),
    total             LONGTEXT    NOT NULL,
    status            BIGINT      NOT NULL,
    previous_status   BIGINT,
    ever_submitted    BIGINT      NOT NULL DEFAULT 0,
    user_id           VARCHAR(32) NOT NULL,
    withdrawal_reason LONGTEXT,
    version           BIGINT      NOT NULL DEFAULT 0,
    created_at        BIGINT      NOT NULL,
    updated_at        BIGINT      NOT NULL,
    CONSTRAINT procurement_order_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_order_department_fkey FOREIGN KEY (department_id)
        REFERENCES procurement_department (id) ON DELETE RESTRICT,
    CONSTRAINT procurement_order_user_fkey FOREIGN KEY (user_id)
        REFERENCES procurement_user (id) ON DELETE RESTRICT,
    CONSTRAINT procurement_order_status_check CHECK (status IN (-1, 0, 1, 2, 3))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX procurement_order_created_idx ON procurement_order (created_at, id);
CREATE INDEX procurement_order_department_status_idx ON procurement_order (department_id, status);
CREATE INDEX procurement_order_status_idx ON procurement_order (status, updated_at);
CREATE INDEX procurement_order_user_idx ON procurement_order (user_id, created_at);

CREATE TABLE procurement_order_line (
    id                 VARCHAR(80) NOT NULL,
    order_id           VARCHAR(64) NOT NULL,
    seq                BIGINT      NOT NULL,
    name               LONGTEXT    NOT NULL,
    type               LONGTEXT    NOT NULL,
    configuration      LONGTEXT    NOT NULL,
    unit               LONGTEXT    NOT NULL,
    quantity           BIGINT      NOT NULL,
    budget_unit_price  LONGTEXT    NOT NULL,
    budget_total_price LONGTEXT    NOT NULL,
    reason             LONGTEXT    NOT NULL,
    new_user           LONGTEXT    NOT NULL,
    CONSTRAINT procurement_order_line_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_order_line_order_fkey FOREIGN KEY (order_id)
        REFERENCES procurement_order (id) ON DELETE CASCADE,
    CONSTRAINT procurement_order_line_seq_key UNIQUE (order_id, seq),
    CONSTRAINT procurement_order_line_quantity_check CHECK (quantity >= 1)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The signed form of an order, base64 text (as on the other backends).
CREATE TABLE procurement_signature (
    order_id     VARCHAR(64) NOT NULL,
    content_type LONGTEXT    NOT NULL,
    data         LONGTEXT    NOT NULL,
    uploaded_at  BIGINT      NOT NULL,
    CONSTRAINT procurement_signature_pkey PRIMARY KEY (order_id),
    CONSTRAINT procurement_signature_order_fkey FOREIGN KEY (order_id)
        REFERENCES procurement_order (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE procurement_notice (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    user_id    VARCHAR(32) NOT NULL,
    order_id   VARCHAR(64) NOT NULL,
    title      LONGTEXT    NOT NULL,
    content    LONGTEXT    NOT NULL,
    unread     BIGINT      NOT NULL DEFAULT 1,
    created_at BIGINT      NOT NULL,
    CONSTRAINT procurement_notice_pkey PRIMARY KEY (id),
    CONSTRAINT procurement_notice_user_fkey FOREIGN KEY (user_id)
        REFERENCES procurement_user (id) ON DELETE CASCADE,
    CONSTRAINT procurement_notice_unread_check CHECK (unread IN (0, 1))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX procurement_notice_user_unread_idx ON procurement_notice (user_id, unread);
