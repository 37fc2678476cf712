package e2e

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	_ "github.com/jackc/pgx/v5/stdlib" // to read the server's database on PostgreSQL
	_ "modernc.org/sqlite"             // and on SQLite

	ichime "github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
)

// ruleWords is what the server's message must say for each kind of
// violation, besides naming the member.
var ruleWords = map[string]string{
	"required":   "required",
	"min-length": "length",
	"max-length": "length",
	"pattern":    "pattern",
	"enum":       "one of",
	"min":        "must be",
	"max":        "must be",
	"min-items":  "must contain",
	"max-items":  "must contain",
}

// TestNegativeModelConstraints walks the service model and, for every
// operation and every constraint of every input member (nested structures
// and list items included), sends a request that is valid but for that one
// constraint. Each must be a 400 BadRequestException whose message names the
// member, and must leave the database exactly as it was.
//
// A path label cannot be left out of a path: an empty label segment is a
// path no operation has, so it is refused as an unknown operation (404
// UnknownOperationException, as AWS answers a path it does not serve).
func TestNegativeModelConstraints(t *testing.T) {
	e := start(t)
	m := loadModel(t)
	w := walker{t: t, m: m}
	// Something in the database, so that a stray write would show.
	_, err := e.client(keyA).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("negative suite")})
	noErr(t, err)
	state := openState(t, e)

	var cases, emptyLabels int
	members := map[string]bool{} // Operation.field of every constrained member
	perRule := map[string]int{}
	for _, opName := range m.operationNames() {
		op := m.Operations[opName]
		base := w.baseline(op)
		for _, name := range base.input.memberNames() {
			mem := base.input.Members[name]
			for _, v := range w.violations(name, mem.Shape, base.input.isRequired(name)) {
				r := base.clone()
				r.set(name, v.value, v.absent)
				members[opName+" "+v.field] = true
				if mem.Location == "uri" && r.labels[mem.LocationName] == "" {
					emptyLabels++
					t.Run(opName+"/"+v.field+"/empty-label", func(t *testing.T) {
						resp := e.sendUnchanged(t, state, r)
						if resp.status != http.StatusNotFound || resp.errorType() != "UnknownOperationException" {
							t.Fatalf("empty label %s: want 404 UnknownOperationException, got %v", v.field, resp)
						}
					})
					continue
				}
				cases++
				perRule[v.rule]++
				t.Run(opName+"/"+v.field+"/"+v.rule, func(t *testing.T) {
					resp := e.sendUnchanged(t, state, r)
					if resp.status != http.StatusBadRequest || resp.errorType() != "BadRequestException" {
						t.Fatalf("want 400 BadRequestException, got %v", resp)
					}
					msg := resp.message()
					if !strings.HasPrefix(msg, v.field+": ") || !strings.Contains(msg, ruleWords[v.rule]) {
						t.Fatalf("message %q does not name %s and its %s rule", msg, v.field, v.rule)
					}
				})
			}
		}
	}
	if cases == 0 {
		t.Fatal("the model walk produced no cases")
	}
	rules := make([]string, 0, len(perRule))
	for r, n := range perRule {
		rules = append(rules, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(rules)
	t.Logf("negative suite: %d constrained input members across %d operations; %d requests breaking one constraint each (%s); %d empty path labels",
		len(members), len(m.Operations), cases, strings.Join(rules, ", "), emptyLabels)
}

// sendUnchanged sends r with tenant A's key and fails unless the server's
// database is row for row what it was before.
func (e *env) sendUnchanged(t *testing.T, state *dbState, r *opRequest) rawResponse {
	t.Helper()
	before := state.digest(t)
	resp := e.send(t, keyA, r.raw(t))
	if after := state.digest(t); after != before {
		t.Fatalf("%s was refused with %d but changed the database", r.op.Name, resp.status)
	}
	return resp
}

// operationalTables are the server's records about calls, not the state of
// any resource: the audit trail records refused calls too (as CloudTrail
// does), and in the background.
var operationalTables = map[string]bool{"audit_events": true}

// dbState reads the server's database behind its back, on either engine.
type dbState struct {
	db         *sql.DB
	listTables string
}

// openState reads e's database behind its back, until the test ends.
func openState(t *testing.T, e *env) *dbState {
	t.Helper()
	listTables := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if strings.HasPrefix(e.db, "postgres://") || strings.HasPrefix(e.db, "postgresql://") {
		listTables = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return &dbState{db: e.rawDatabase(t), listTables: listTables}
}

// digest hashes every row of every resource table.
func (s *dbState) digest(t *testing.T) string {
	t.Helper()
	h := sha256.New()
	for _, table := range s.tables(t) {
		if operationalTables[table] {
			continue
		}
		fmt.Fprintf(h, "table %s\n", table)
		lines := tableRows(t, s.db, table)
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Fprintln(h, l)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// tables names every table of the database.
func (s *dbState) tables(t *testing.T) []string {
	t.Helper()
	var tables []string
	rows, err := s.db.Query(s.listTables)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(tables) == 0 {
		t.Fatal("no tables found in the server's database")
	}
	return tables
}

func tableRows(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%q", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestNotFoundForUnknownIDs: every operation whose path names a resource
// answers 404 NotFoundException when that resource does not exist for the
// caller: an unknown ID, another AWS account's account, or an unknown
// resource inside one of the caller's own accounts.
//
// CreateMeetingDialOut's meetingId is left out: meetings live in the Chime
// SDK, not in this API, so there is no meeting for this server to find.
func TestNotFoundForUnknownIDs(t *testing.T) {
	e := start(t)
	m := loadModel(t)
	w := walker{t: t, m: m}
	own, err := e.client(keyA).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("own enterprise")})
	noErr(t, err)
	ownID := aws.ToString(own.Account.AccountId)
	// An EnterpriseLWA account has rooms, bots and users: every lookup under
	// it reaches the resource the label names.
	_, err = e.srv.Service.ClaimDomain(ctx, ichime.Caller{AwsAccountID: accountA}, ownID, "own.example.com", model.AccountTypeEnterpriseLWA)
	noErr(t, err)
	other, err := e.client(keyB).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("other tenant")})
	noErr(t, err)
	otherID := aws.ToString(other.Account.AccountId)

	checked := 0
	for _, opName := range m.operationNames() {
		op := m.Operations[opName]
		base := w.baseline(op)
		if len(base.labels) == 0 || base.labels["meetingId"] != "" {
			continue
		}
		fillOneOptionalBodyMember(w, base)
		type variant struct {
			name string
			r    *opRequest
		}
		variants := []variant{{"unknown IDs", base}}
		if _, ok := base.labels["accountId"]; ok {
			other := base.clone()
			other.labels["accountId"] = otherID
			variants = append(variants, variant{"another AWS account's account", other})
			if len(base.labels) > 1 {
				own := base.clone()
				own.labels["accountId"] = ownID
				variants = append(variants, variant{"unknown resource in own account", own})
			}
		}
		for _, v := range variants {
			t.Run(opName+"/"+v.name, func(t *testing.T) {
				resp := e.send(t, keyA, v.r.raw(t))
				checked++
				if resp.status != http.StatusNotFound || resp.errorType() != "NotFoundException" || resp.message() == "" {
					t.Fatalf("want 404 NotFoundException with a message, got %v", resp)
				}
			})
		}
	}
	t.Logf("not-found suite: %d requests for unknown resources, across every operation with a resource ID in its path", checked)
}

// fillOneOptionalBodyMember makes an update-style request (one with no
// required body member) carry one change, as a real caller's would.
func fillOneOptionalBodyMember(w walker, r *opRequest) {
	var optional []string
	for _, name := range r.input.memberNames() {
		mem := r.input.Members[name]
		if mem.Location != "" {
			continue
		}
		if r.input.isRequired(name) {
			return
		}
		optional = append(optional, name)
	}
	if len(optional) > 0 {
		name := optional[0]
		r.set(name, w.sample(name, r.input.Members[name].Shape), false)
	}
}
