package sqlite

import (
	"database/sql/driver"
	"fmt"

	"github.com/chimed/chimed/internal/store/sqlstore"
	"modernc.org/sqlite"
)

// The users table's rowid is chimed_user_key(user_id) (migration 0010), so
// that a lookup by ID searches one B-tree. The function is
// sqlstore.UserKey; PostgreSQL has the same rule in SQL.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("chimed_user_key", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch id := args[0].(type) {
			case nil:
				return nil, nil
			case string:
				return sqlstore.UserKey(id), nil
			default:
				return nil, fmt.Errorf("chimed_user_key: a user ID is text, not %T", id)
			}
		})
}
