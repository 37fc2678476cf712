-- DeleteAccount now frees the ClientRequestTokens of the account's rooms,
-- which no retry can reach any more; free those of accounts deleted before.
UPDATE rooms SET token_hash = NULL
WHERE token_hash IS NOT NULL AND account_id IN (SELECT account_id FROM accounts WHERE deleted_at IS NOT NULL);
