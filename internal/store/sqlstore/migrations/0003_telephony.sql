-- Telephony: the phone number inventories of the AWS accounts, their orders,
-- their phone settings and the dial-out calls they placed. Each row keeps the
-- record as JSON in doc; the other columns exist for keys, lookups, ordering,
-- constraints and the background jobs' scans.
-- Portable SQL: this file runs on SQLite and PostgreSQL alike.

-- The primary key is the number itself: a number is in one inventory at
-- most, so the catalogue never sells it twice, also to concurrent orders.
CREATE TABLE phone_numbers (
    e164             TEXT PRIMARY KEY,
    aws_account_id   TEXT NOT NULL,
    status           TEXT NOT NULL,
    product_type     TEXT NOT NULL,
    account_id       TEXT,
    user_id          TEXT,
    calling_name_due BIGINT,
    deleted_at       BIGINT,
    version          BIGINT NOT NULL,
    doc              TEXT NOT NULL
);
CREATE INDEX phone_numbers_by_owner ON phone_numbers (aws_account_id, e164);
CREATE INDEX phone_numbers_by_user ON phone_numbers (aws_account_id, user_id);
CREATE INDEX phone_numbers_calling_name_due ON phone_numbers (calling_name_due);
CREATE INDEX phone_numbers_deleted ON phone_numbers (deleted_at);

CREATE TABLE phone_number_orders (
    order_id       TEXT PRIMARY KEY,
    aws_account_id TEXT NOT NULL,
    list_key       TEXT NOT NULL,
    status         TEXT NOT NULL,
    due_at         BIGINT NOT NULL,
    doc            TEXT NOT NULL
);
CREATE INDEX phone_number_orders_by_owner ON phone_number_orders (aws_account_id, list_key);
CREATE INDEX phone_number_orders_due ON phone_number_orders (status, due_at);

CREATE TABLE telephony_settings (
    aws_account_id TEXT PRIMARY KEY,
    doc            TEXT NOT NULL
);

-- lease_until is renewed by the server instance that holds the live call.
CREATE TABLE dial_outs (
    transaction_id TEXT PRIMARY KEY,
    aws_account_id TEXT NOT NULL,
    status         TEXT NOT NULL,
    lease_until    BIGINT NOT NULL,
    doc            TEXT NOT NULL
);
CREATE INDEX dial_outs_by_lease ON dial_outs (status, lease_until);
