-- Events older than --audit-retention are deleted by a background job; it
-- finds them by time across every AWS account.
CREATE INDEX audit_events_by_age ON audit_events (event_time);
