package sqlstore

import (
	"slices"
	"testing"
)

func TestStatements(t *testing.T) {
	tests := []struct {
		sql  string
		want []string
	}{
		{"A; B;", []string{"A", " B", ""}},
		{"CREATE FUNCTION f() AS $$ BEGIN x; y; END $$; C", []string{"CREATE FUNCTION f() AS $$ BEGIN x; y; END $$", " C"}},
		{"no semicolon", []string{"no semicolon"}},
		{"CREATE TRIGGER t BEFORE INSERT ON u\nBEGIN\n SELECT 1; SELECT 2;\nEND; C", []string{"CREATE TRIGGER t BEFORE INSERT ON u\nBEGIN\n SELECT 1; SELECT 2;\nEND", " C"}},
		{"CREATE TRIGGER t AFTER INSERT ON u BEGIN UPDATE v SET a = CASE WHEN 1 THEN 'end' END; SELECT RAISE(ABORT, 'no END here'); END; C",
			[]string{"CREATE TRIGGER t AFTER INSERT ON u BEGIN UPDATE v SET a = CASE WHEN 1 THEN 'end' END; SELECT RAISE(ABORT, 'no END here'); END", " C"}},
		{"CREATE TRIGGER t BEFORE INSERT ON u FOR EACH ROW EXECUTE FUNCTION f(); C", []string{"CREATE TRIGGER t BEFORE INSERT ON u FOR EACH ROW EXECUTE FUNCTION f()", " C"}},
	}
	for _, tc := range tests {
		if got := statements(tc.sql); !slices.Equal(got, tc.want) {
			t.Errorf("statements(%q) = %q, want %q", tc.sql, got, tc.want)
		}
	}
}

func TestDialectRuns(t *testing.T) {
	tests := []struct {
		dialect, name string
		want          bool
	}{
		{"sqlite", "migrations/0001_accounts_users.sql", true},
		{"postgres", "migrations/0001_accounts_users.sql", true},
		{"sqlite", "migrations/0010_user_keys.sqlite.sql", true},
		{"postgres", "migrations/0010_user_keys.sqlite.sql", false},
		{"postgres", "migrations/0010_user_keys.postgres.sql", true},
	}
	for _, tc := range tests {
		if got := (Dialect{Name: tc.dialect}).runs(tc.name); got != tc.want {
			t.Errorf("%s runs %s: %v, want %v", tc.dialect, tc.name, got, tc.want)
		}
	}
}
