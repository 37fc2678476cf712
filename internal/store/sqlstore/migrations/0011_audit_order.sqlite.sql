-- Audit events get a sequence number, in the order they were written, to
-- order events of the same millisecond: by event_id (random) two calls made
-- one after the other in the same millisecond were listed in either order.
-- The table is rebuilt so that seq is its rowid; the index on
-- (aws_account_id, event_time) then ends with seq, as listings order.
CREATE TABLE audit_events_ordered (
    seq            INTEGER PRIMARY KEY,
    event_id       TEXT NOT NULL UNIQUE,
    aws_account_id TEXT NOT NULL,
    event_time     BIGINT NOT NULL,
    operation      TEXT NOT NULL,
    doc            TEXT NOT NULL
);
INSERT INTO audit_events_ordered (event_id, aws_account_id, event_time, operation, doc)
    SELECT event_id, aws_account_id, event_time, operation, doc
    FROM audit_events ORDER BY event_time, event_id;
DROP TABLE audit_events;
ALTER TABLE audit_events_ordered RENAME TO audit_events;
CREATE INDEX audit_events_by_time ON audit_events (aws_account_id, event_time);
