-- Enterprise collaboration: chat rooms and their members, chat bots, retention
-- settings, incoming webhooks, conversations and the messages of both.
-- As in 0001, doc keeps the record as JSON; the other columns are keys,
-- lookups, ordering and constraints. Portable SQL: SQLite and PostgreSQL.

CREATE TABLE rooms (
    room_id        TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL,
    aws_account_id TEXT NOT NULL,
    -- SHA-256 of CreateRoom's ClientRequestToken, when one was given.
    token_hash     TEXT,
    doc            TEXT NOT NULL
);
CREATE INDEX rooms_by_account ON rooms (account_id, room_id);
-- A ClientRequestToken names one room per AWS account.
CREATE UNIQUE INDEX rooms_by_token ON rooms (aws_account_id, token_hash);

CREATE TABLE room_memberships (
    room_id    TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (room_id, member_id)
);
CREATE INDEX room_memberships_by_member ON room_memberships (member_id, room_id);

CREATE TABLE bots (
    bot_id         TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL,
    aws_account_id TEXT NOT NULL,
    email_key      TEXT NOT NULL,
    doc            TEXT NOT NULL
);
CREATE INDEX bots_by_account ON bots (account_id, bot_id);
-- A bot's email is its identity in chat (mentions), like a user's.
CREATE UNIQUE INDEX bots_by_email ON bots (aws_account_id, email_key);

CREATE TABLE retention_settings (
    account_id           TEXT PRIMARY KEY,
    -- When deletion starts (after the grace period); NULL when retention is off.
    initiate_deletion_at BIGINT,
    doc                  TEXT NOT NULL
);
CREATE INDEX retention_settings_due ON retention_settings (initiate_deletion_at);

CREATE TABLE webhooks (
    webhook_id TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    account_id TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX webhooks_by_room ON webhooks (room_id, webhook_id);

CREATE TABLE conversations (
    conversation_id TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    doc             TEXT NOT NULL
);
CREATE INDEX conversations_by_account ON conversations (account_id);

-- A message's text is kept in content, outside doc, so that redaction can
-- erase it (content becomes NULL) and leave the rest of the message.
CREATE TABLE messages (
    message_id  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    parent_type TEXT NOT NULL,
    parent_id   TEXT NOT NULL,
    -- Creation time in milliseconds since the epoch, zero-padded, then the
    -- message id: the listing order, and the key pages continue after.
    sort_key    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    content     TEXT,
    doc         TEXT NOT NULL
);
CREATE INDEX messages_by_parent ON messages (parent_id, sort_key);
CREATE INDEX messages_by_age ON messages (account_id, parent_type, created_at);
