-- Accounts and users. Each row keeps the record as JSON in doc; the other
-- columns exist for keys, lookups, ordering and constraints.
-- Portable SQL: this file runs on SQLite and PostgreSQL alike.

CREATE TABLE accounts (
    account_id     TEXT PRIMARY KEY,
    aws_account_id TEXT NOT NULL,
    name           TEXT NOT NULL,
    deleted_at     BIGINT,
    doc            TEXT NOT NULL
);
CREATE INDEX accounts_by_owner ON accounts (aws_account_id, account_id);

CREATE TABLE users (
    account_id     TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    aws_account_id TEXT NOT NULL,
    email_key      TEXT,
    user_type      TEXT NOT NULL,
    doc            TEXT NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
-- One email is one person across the AWS account's Chime accounts.
CREATE UNIQUE INDEX users_by_email ON users (aws_account_id, email_key);

CREATE TABLE invites (
    invite_id  TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX invites_by_user ON invites (account_id, user_id);
