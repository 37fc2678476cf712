-- Audit events get a sequence number, in the order they were written, to
-- order events of the same millisecond: by event_id (random) two calls made
-- one after the other in the same millisecond were listed in either order.
-- The events already written are numbered in the order they were listed.
-- Instances not yet upgraded, during a rolling restart, insert without the
-- number: the column's default gives it.
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
UPDATE audit_events a SET seq = o.n
    FROM (SELECT event_id, row_number() OVER (ORDER BY event_time, event_id) AS n FROM audit_events) o
    WHERE a.event_id = o.event_id;
CREATE SEQUENCE audit_events_seq OWNED BY audit_events.seq;
SELECT setval('audit_events_seq', COALESCE(MAX(seq), 0) + 1, false) FROM audit_events;
ALTER TABLE audit_events ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq'), ALTER COLUMN seq SET NOT NULL;
DROP INDEX audit_events_by_time;
CREATE INDEX audit_events_by_time ON audit_events (aws_account_id, event_time, seq);
