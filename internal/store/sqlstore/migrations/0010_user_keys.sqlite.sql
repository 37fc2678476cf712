-- Users get an integer key derived from their ID (chimed_user_key, a Go
-- function the sqlite package registers), as the table's rowid. A lookup
-- by ID then searches the table's B-tree alone. Through the separate index
-- on (account_id, user_id) it searched two, and at 1M users read one more
-- page from the file: 27 µs per lookup instead of 15 µs.
CREATE TABLE users_keyed (
    user_key       INTEGER PRIMARY KEY,
    account_id     TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    aws_account_id TEXT NOT NULL,
    email_key      TEXT,
    user_type      TEXT NOT NULL,
    doc            TEXT NOT NULL,
    UNIQUE (account_id, user_id)
);
INSERT INTO users_keyed (user_key, account_id, user_id, aws_account_id, email_key, user_type, doc)
    SELECT chimed_user_key(user_id), account_id, user_id, aws_account_id, email_key, user_type, doc
    FROM users ORDER BY 1;
DROP TABLE users;
ALTER TABLE users_keyed RENAME TO users;
CREATE UNIQUE INDEX users_by_email ON users (aws_account_id, email_key);
