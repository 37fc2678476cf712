-- Outbound integrations: the outbox of events for chat bots, the URLs bots
-- answer into rooms through, and each bot's event counter.
-- Portable SQL: SQLite and PostgreSQL.

-- event_seq numbers a bot's events in the order their transactions
-- committed: incrementing it writes the bot's row, so two transactions that
-- both add an event for one bot are serialised (PostgreSQL reports the
-- loser as a serialization failure and the store runs it again).
ALTER TABLE bots ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;

-- An event is written in the transaction of the change that causes it and
-- delivered later by whichever instance leases it (lease_id, lease_until:
-- a compare-and-set claim). status is Pending until the event is Delivered,
-- Failed (given up) or Skipped (the bot was disabled or lost its target).
CREATE TABLE bot_events (
    event_id       TEXT PRIMARY KEY,
    aws_account_id TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    bot_id         TEXT NOT NULL,
    room_id        TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    status         TEXT NOT NULL,
    -- When the next attempt is due, in milliseconds since the epoch.
    due_at         BIGINT NOT NULL,
    lease_id       TEXT,
    lease_until    BIGINT,
    -- The room message a Mention carries, so that redacting the message or
    -- deleting the room erases its text here too, as does a retention
    -- period that ends before finished events are pruned (after 7 days).
    message_id     TEXT,
    finished_at    BIGINT,
    doc            TEXT NOT NULL
);
CREATE UNIQUE INDEX bot_events_by_bot ON bot_events (bot_id, seq);
CREATE INDEX bot_events_due ON bot_events (status, due_at);
CREATE INDEX bot_events_by_message ON bot_events (message_id);
CREATE INDEX bot_events_by_room ON bot_events (room_id);
CREATE INDEX bot_events_finished ON bot_events (finished_at);

-- The InboundHttpsEndpoint URLs handed to bots. expires_at is NULL for a
-- Persistent endpoint.
CREATE TABLE bot_reply_endpoints (
    endpoint_id    TEXT PRIMARY KEY,
    aws_account_id TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    room_id        TEXT NOT NULL,
    bot_id         TEXT NOT NULL,
    expires_at     BIGINT,
    doc            TEXT NOT NULL
);
CREATE INDEX bot_reply_endpoints_by_room ON bot_reply_endpoints (room_id, bot_id);
CREATE INDEX bot_reply_endpoints_expiry ON bot_reply_endpoints (expires_at);
