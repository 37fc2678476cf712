-- Keys the server makes for itself, shared by every instance on the database
-- (e.g. the key that signs pagination tokens).
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
