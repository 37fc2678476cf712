-- A user's key is chimed_user_key(user_id) (0010). A chimed from before
-- 0010, started on this database (a rollback), would insert users under
-- SQLite's next rowid, where lookups by ID never find them: with this
-- trigger its inserts fail instead ("no such function: chimed_user_key"),
-- and any other writer of a wrong key is refused.
CREATE TRIGGER users_key_guard BEFORE INSERT ON users
    WHEN NEW.user_key IS NOT chimed_user_key(NEW.user_id)
BEGIN
    SELECT RAISE(ABORT, 'users.user_key must be chimed_user_key(user_id)');
END;
