-- Server-side records of the operator and test controls: the audit trail of
-- mutating calls and the test API's state snapshots.

CREATE TABLE audit_events (
    event_id       TEXT PRIMARY KEY,
    aws_account_id TEXT NOT NULL,
    event_time     BIGINT NOT NULL,
    operation      TEXT NOT NULL,
    doc            TEXT NOT NULL
);
CREATE INDEX audit_events_by_time ON audit_events (aws_account_id, event_time);

CREATE TABLE test_snapshots (
    snapshot_id    TEXT PRIMARY KEY,
    aws_account_id TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    doc            TEXT NOT NULL
);
