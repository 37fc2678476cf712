-- GET /_chimed/audit?operation=... walked the AWS account's whole trail in
-- time order for the events of one operation: 1.5 µs an event, seconds at a
-- million, holding a reader all along. The rowid (seq) ends the index, as
-- listings order.
CREATE INDEX audit_events_by_operation ON audit_events (aws_account_id, operation, event_time);
