package sqlite

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/chimed/chimed/internal/store/sqlstore"
)

// lookupConn is a connection for Lookups (GetUser, GetAccount: most of the
// traffic), opened through SQLite's own API rather than the driver. Around
// each statement the driver reads the parameters' and columns' names and
// declared types, allocates C copies of the arguments and Go slices for
// the rows, and takes the connection's mutex: at 1M users that came to a
// quarter of a GetUser's lookup. A lookupConn prepares each statement once,
// binds by position, copies the row out and resets; it is used by one
// Lookup at a time, so SQLite's own mutex is off (NOMUTEX).
type lookupConn struct {
	tls   *libc.TLS
	db    uintptr // sqlite3*
	stmts map[string]*lookupStmt
}

// lookupStmt is a prepared statement and, for each of its parameters in
// SQLite's order, the ordinal of the argument it takes: SQLite numbers
// parameters by where they first appear, so "$4 ... $1" binds $4 first.
type lookupStmt struct {
	p        uintptr // sqlite3_stmt*
	ordinals []int
}

var _ sqlstore.LookupConn = (*lookupConn)(nil)

// openLookupConn opens path through vfs ("" for the default), with a page
// cache of cacheKiB.
func openLookupConn(path, vfs string, cacheKiB int) (*lookupConn, error) {
	c := &lookupConn{tls: libc.NewTLS(), stmts: map[string]*lookupStmt{}}
	err := c.open(path, vfs)
	if err == nil {
		// query_only: a Lookup reads; a write here would bypass the
		// writer's queue and group commit.
		err = c.exec(fmt.Sprintf("PRAGMA busy_timeout = %d; PRAGMA cache_size = -%d; PRAGMA query_only = 1;", busyTimeout.Milliseconds(), cacheKiB))
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("open %s for lookups: %w", path, err)
	}
	return c, nil
}

// open opens the database file. SQLite hands back a connection even when
// it fails to open the file; Close closes it.
func (c *lookupConn) open(path, vfs string) error {
	cPath, err := libc.CString(path)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, cPath)
	var cVFS uintptr
	if vfs != "" {
		if cVFS, err = libc.CString(vfs); err != nil {
			return err
		}
		defer libc.Xfree(c.tls, cVFS)
	}
	var rc int32
	c.db, rc = cOut(func(db uintptr) int32 {
		return sqlite3.Xsqlite3_open_v2(c.tls, cPath, db, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_NOMUTEX|sqlite3.SQLITE_OPEN_EXRESCODE, cVFS)
	})
	if rc != sqlite3.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}

// QueryRow runs query with args, positional ($1 is args[0]), and returns
// its first row: int64, float64, string, []byte or nil per column, as the
// driver would; sql.ErrNoRows when it has none.
func (c *lookupConn) QueryRow(query string, args []any) ([]driver.Value, error) {
	s, err := c.prepared(query)
	if err != nil {
		return nil, err
	}
	defer sqlite3.Xsqlite3_reset(c.tls, s.p)
	for i, ordinal := range s.ordinals {
		if ordinal > len(args) {
			return nil, fmt.Errorf("sqlite lookup: no argument for $%d", ordinal)
		}
		if err := c.bind(s.p, int32(i+1), args[ordinal-1]); err != nil {
			return nil, fmt.Errorf("sqlite lookup: argument $%d: %w", ordinal, err)
		}
	}
	switch rc := sqlite3.Xsqlite3_step(c.tls, s.p); rc {
	case sqlite3.SQLITE_ROW:
		return c.row(s.p), nil
	case sqlite3.SQLITE_DONE:
		return nil, sql.ErrNoRows
	default:
		return nil, c.err(rc)
	}
}

// bind binds arg to the parameter at index i of p.
func (c *lookupConn) bind(p uintptr, i int32, arg any) error {
	v, err := driver.DefaultParameterConverter.ConvertValue(arg)
	if err != nil {
		return err
	}
	var rc int32
	switch v := v.(type) {
	case nil:
		rc = sqlite3.Xsqlite3_bind_null(c.tls, p, i)
	case int64:
		rc = sqlite3.Xsqlite3_bind_int64(c.tls, p, i, v)
	case float64:
		rc = sqlite3.Xsqlite3_bind_double(c.tls, p, i, v)
	case bool:
		rc = sqlite3.Xsqlite3_bind_int64(c.tls, p, i, boolInt(v))
	case string:
		rc = bindBytes(c, p, i, v, sqlite3.Xsqlite3_bind_text)
	case []byte:
		rc = bindBytes(c, p, i, v, sqlite3.Xsqlite3_bind_blob)
	default:
		return fmt.Errorf("a lookup cannot bind %T", v)
	}
	if rc != sqlite3.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}

// bindBytes binds a text or blob through bindFn, from a copy in the
// connection's C stack: SQLite's code, though Go, takes the argument as a C
// pointer, which checkptr (-race) refuses for Go memory. With
// SQLITE_TRANSIENT SQLite copies it before it returns.
func bindBytes[T string | []byte](c *lookupConn, p uintptr, i int32, v T, bindFn func(*libc.TLS, uintptr, int32, uintptr, int32, uintptr) int32) int32 {
	arg := c.tls.Alloc(len(v) + 1)
	defer c.tls.Free(len(v) + 1)
	buf := libc.GoBytes(arg, len(v)+1)
	buf[copy(buf, v)] = 0
	return bindFn(c.tls, p, i, arg, int32(len(v)), sqlite3.SQLITE_TRANSIENT)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// row copies out the row p stands on.
func (c *lookupConn) row(p uintptr) []driver.Value {
	vals := make([]driver.Value, sqlite3.Xsqlite3_column_count(c.tls, p))
	for i := range vals {
		col := int32(i)
		switch sqlite3.Xsqlite3_column_type(c.tls, p, col) {
		case sqlite3.SQLITE_INTEGER:
			vals[i] = sqlite3.Xsqlite3_column_int64(c.tls, p, col)
		case sqlite3.SQLITE_FLOAT:
			vals[i] = sqlite3.Xsqlite3_column_double(c.tls, p, col)
		case sqlite3.SQLITE_TEXT:
			text := sqlite3.Xsqlite3_column_text(c.tls, p, col)
			vals[i] = string(libc.GoBytes(text, int(sqlite3.Xsqlite3_column_bytes(c.tls, p, col))))
		case sqlite3.SQLITE_BLOB:
			blob := sqlite3.Xsqlite3_column_blob(c.tls, p, col)
			vals[i] = bytes.Clone(libc.GoBytes(blob, int(sqlite3.Xsqlite3_column_bytes(c.tls, p, col))))
		}
	}
	return vals
}

// prepared is query's statement, prepared on its first use.
func (c *lookupConn) prepared(query string) (*lookupStmt, error) {
	if s, ok := c.stmts[query]; ok {
		return s, nil
	}
	cQuery, err := libc.CString(query)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, cQuery)
	p, rc := cOut(func(stmt uintptr) int32 {
		return sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, cQuery, -1, stmt, 0)
	})
	if rc != sqlite3.SQLITE_OK {
		return nil, fmt.Errorf("sqlite lookup: prepare %q: %w", query, c.err(rc))
	}
	s := &lookupStmt{p: p}
	for i := range sqlite3.Xsqlite3_bind_parameter_count(c.tls, p) {
		name := libc.GoString(sqlite3.Xsqlite3_bind_parameter_name(c.tls, p, i+1))
		digits, dollar := strings.CutPrefix(name, "$")
		ordinal, err := strconv.Atoi(digits)
		if !dollar || err != nil || ordinal < 1 {
			sqlite3.Xsqlite3_finalize(c.tls, p)
			return nil, fmt.Errorf("sqlite lookup: parameter %q of %q is not one of $1, $2 and so on", name, query)
		}
		s.ordinals = append(s.ordinals, ordinal)
	}
	c.stmts[query] = s
	return s, nil
}

// exec runs sql, statements without results.
func (c *lookupConn) exec(sql string) error {
	cSQL, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, cSQL)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, cSQL, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}

// err is the error rc stands for, with SQLite's message.
func (c *lookupConn) err(rc int32) error {
	if c.db == 0 {
		return fmt.Errorf("sqlite: %s (%d)", libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc)), rc)
	}
	return fmt.Errorf("sqlite: %s (%d)", libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db)), rc)
}

func (c *lookupConn) Close() error {
	for _, s := range c.stmts {
		sqlite3.Xsqlite3_finalize(c.tls, s.p)
	}
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.err(rc)
		}
	}
	c.tls.Close()
	return err
}

// cOut runs call with the address of a pointer for it to set (an out
// parameter such as sqlite3**), in the heap and pinned while call runs.
func cOut(call func(out uintptr) int32) (uintptr, int32) {
	out := new(uintptr)
	var pin runtime.Pinner
	pin.Pin(out)
	defer pin.Unpin()
	rc := call(uintptr(unsafe.Pointer(out)))
	return *out, rc
}
