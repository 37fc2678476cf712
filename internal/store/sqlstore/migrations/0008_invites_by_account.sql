-- An account's invitations, listed a page at a time in invite ID order.
CREATE INDEX invites_by_account ON invites (account_id, invite_id);
