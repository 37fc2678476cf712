-- Users get an integer key derived from their ID, as on SQLite (where it is
-- the table's rowid and spares lookups a second B-tree), so that both
-- engines run the same statements. chimed_user_key is the rule of the
-- sqlite package's Go function: the first 8 bytes of a UUID in lower-case
-- hex, else the first 8 bytes of the ID's MD5.
CREATE FUNCTION chimed_user_key(id TEXT) RETURNS BIGINT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}'
        THEN ('x' || substr(id, 1, 8) || substr(id, 10, 4) || substr(id, 15, 4))::bit(64)::bigint
        ELSE ('x' || substr(md5(id), 1, 16))::bit(64)::bigint
    END
$$;
-- Instances not yet upgraded, during a rolling restart, insert users
-- without the key: the trigger sets it for every insert.
CREATE FUNCTION chimed_set_user_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.user_key := chimed_user_key(NEW.user_id);
    RETURN NEW;
END
$$;
ALTER TABLE users ADD COLUMN user_key BIGINT;
UPDATE users SET user_key = chimed_user_key(user_id);
ALTER TABLE users ALTER COLUMN user_key SET NOT NULL;
CREATE UNIQUE INDEX users_by_key ON users (user_key);
CREATE TRIGGER users_set_key BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION chimed_set_user_key();
