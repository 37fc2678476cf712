package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/aws/smithy-go"

	"github.com/chimed/chimed/internal/server"
	"github.com/chimed/chimed/internal/store/postgres/pgtest"
)

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func createAccount(t *testing.T, c *chime.Client, name string) string {
	t.Helper()
	out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(name)})
	noErr(t, err)
	return aws.ToString(out.Account.AccountId)
}

func TestHealthAndReadiness(t *testing.T) {
	e := start(t)
	if got := get(t, e.srv.URL+"/healthz"); !strings.Contains(got, "ok") {
		t.Fatalf("/healthz: %q", got)
	}
	if got := get(t, e.srv.URL+"/readyz"); !strings.Contains(got, "ready") {
		t.Fatalf("/readyz: %q", got)
	}
}

func TestMetricsCountRequestsByOperationAndErrorCode(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	id := createAccount(t, c, "metrics")
	_, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
	noErr(t, err)
	_, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String("no-such-account")})
	wantError(t, err, "NotFoundException")
	e.send(t, keyA, rawRequest{method: "GET", path: "/accounts", unsigned: true})
	// A method no route of the path has names no operation either.
	e.send(t, keyA, rawRequest{method: "POST", path: "/healthz", unsigned: true})

	body := get(t, e.srv.URL+"/metrics")
	if strings.Contains(body, `operation="chimed:/healthz"`) {
		t.Errorf("POST /healthz is counted under its catch-all route:\n%s", body)
	}
	for _, want := range []string{
		`chimed_requests_total{error_code="",operation="GetAccount",status_class="2xx"} 1`,
		`chimed_requests_total{error_code="NotFound",operation="GetAccount",status_class="4xx"} 1`,
		`chimed_requests_total{error_code="",operation="CreateAccount",status_class="2xx"} 1`,
		`chimed_request_duration_seconds_bucket{operation="GetAccount"`,
		`chimed_auth_failures_total{reason="MissingAuthenticationTokenException"} 1`,
		`chimed_requests_total{error_code="NotFound",operation="unknown",status_class="4xx"} 1`,
		`chimed_store_transaction_seconds_count{kind="update"}`,
		`chimed_requests_in_flight`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestMetricsOnTheirOwnAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	metricsAddr := ln.Addr().String()
	ln.Close()
	e := start(t, func(c *server.Config) { c.MetricsAddr = metricsAddr })
	if body := get(t, "http://"+metricsAddr+"/metrics"); !strings.Contains(body, "chimed_requests_in_flight") {
		t.Errorf("the metrics address serves no chimed metrics:\n%s", body)
	}
	// Beside the API, /metrics is an unknown path like any other.
	for _, method := range []string{"GET", "POST"} {
		for _, path := range []string{"/metrics", "/healthz"} {
			if method == "GET" && path == "/healthz" {
				continue
			}
			req, _ := http.NewRequest(method, e.srv.URL+path, nil)
			resp, err := http.DefaultClient.Do(req)
			noErr(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// As for any unknown path: a JSON error with its type.
			if resp.StatusCode != http.StatusNotFound || resp.Header.Get("x-amzn-ErrorType") == "" || !json.Valid(body) {
				t.Errorf("%s %s beside the API with metrics on their own address: %d %s %q", method, path,
					resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
			}
		}
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRequestLogsCarryIDsAndNoSecrets(t *testing.T) {
	logs := &syncBuffer{}
	e := start(t, func(c *server.Config) { c.LogOutput = logs })
	c := e.client(keyA)
	id := createAccount(t, c, "logs")
	user, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(id), Email: aws.String("secret.person@example.com")})
	noErr(t, err)
	pin, err := c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: aws.String(id), UserId: user.User.UserId})
	noErr(t, err)
	if resp := e.send(t, "AKIDNOSUCHKEY", rawRequest{method: "GET", path: "/accounts"}); resp.status != 403 {
		t.Fatalf("unknown key: %s", resp)
	}

	out := logs.String()
	type logLine struct {
		RequestID  string  `json:"request_id"`
		Operation  string  `json:"operation"`
		AwsAccount string  `json:"aws_account"`
		Status     int     `json:"status"`
		Level      string  `json:"level"`
		DurationUS *int64  `json:"duration_us"`
		ErrorType  string  `json:"error_type"`
		SourceIP   *string `json:"source_ip"`
		AccessKey  *string `json:"access_key"`
	}
	found, refusalFound := false, false
	for _, l := range strings.Split(out, "\n") {
		var line logLine
		if json.Unmarshal([]byte(l), &line) != nil {
			continue
		}
		switch {
		case line.Operation == "ResetPersonalPIN":
			found = line.RequestID != "" && line.AwsAccount == accountA && line.Status == 200 &&
				line.Level == "INFO" && line.DurationUS != nil && *line.DurationUS >= 0 && line.SourceIP == nil && line.AccessKey == nil
		case line.ErrorType == "UnrecognizedClientException":
			// Who tried a key that does not exist: where from, and its
			// first bytes (it could be a secret key put in its place).
			refusalFound = line.Status == 403 && line.SourceIP != nil && *line.SourceIP == "127.0.0.1" &&
				line.AccessKey != nil && *line.AccessKey == "AKID…(13 bytes, not a configured key)"
		}
	}
	if !found {
		t.Fatalf("no JSON request line with request ID, operation, account, level and duration (and no source IP or key) for ResetPersonalPIN in:\n%s", out)
	}
	if !refusalFound {
		t.Fatalf("no request line with the source IP and access key of the refused signature in:\n%s", out)
	}
	for _, secretValue := range []string{aws.ToString(pin.User.PersonalPIN), secret, "secret.person@example.com"} {
		if strings.Contains(out, secretValue) {
			t.Errorf("log contains the secret %q", secretValue)
		}
	}
}

func TestThrottlingAnswers429AndTheSDKRetryGetsThrough(t *testing.T) {
	e := start(t, func(c *server.Config) { c.RateLimit = "5/s" })
	burst := e.client(keyA)
	var throttled int
	for i := 0; i < 12; i++ {
		_, err := burst.ListAccounts(ctx, &chime.ListAccountsInput{})
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ThrottledClientException" {
			throttled++
		} else {
			noErr(t, err)
		}
	}
	if throttled == 0 {
		t.Fatal("a burst of 12 calls at 5/s was never throttled")
	}
	resp := e.send(t, keyA, rawRequest{method: "GET", path: "/accounts"})
	if resp.status == http.StatusTooManyRequests && resp.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}

	// The SDK's standard retryer, told that ThrottledClientException is a
	// throttle (Chime's model does not mark it retryable), gets through.
	patient := chime.New(chime.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(e.srv.URL),
		Credentials:  burst.Options().Credentials,
		Retryer: retry.AddWithErrorCodes(retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 10
			o.MaxBackoff = time.Second
		}), "ThrottledClientException"),
	})
	for i := 0; i < 15; i++ {
		_, err := patient.ListAccounts(ctx, &chime.ListAccountsInput{})
		noErr(t, err)
	}
}

// Get, Put and DeleteEventsConfiguration list no ThrottledClientException:
// over the rate they answer the 503 they do list, with Retry-After, and the
// rate limit's metric counts them.
func TestThrottlingAnOperationWithoutThrottledClientException(t *testing.T) {
	e := start(t, func(c *server.Config) { c.RateLimit = "5/s" })
	var refused rawResponse
	for i := 0; i < 12 && refused.status == 0; i++ {
		resp := e.send(t, keyA, rawRequest{method: "GET", path: "/accounts/" + collabMissingID + "/bots/" + collabMissingID + "/events-configuration"})
		if resp.status != http.StatusNotFound {
			refused = resp
		}
	}
	if refused.status != http.StatusServiceUnavailable || refused.errorType() != "ServiceUnavailableException" || refused.header.Get("Retry-After") == "" {
		t.Fatalf("throttled GetEventsConfiguration: %s (Retry-After %q)", refused, refused.header.Get("Retry-After"))
	}
	if body := get(t, e.srv.URL+"/metrics"); !strings.Contains(body, `chimed_throttled_requests_total{operation="GetEventsConfiguration"} 1`+"\n") {
		t.Errorf("/metrics does not count the one throttled GetEventsConfiguration once:\n%s", body)
	}
}

type auditPage struct {
	Events []struct {
		Operation    string
		AwsAccountId string
		PrincipalArn string
		AccessKeyId  string
		SourceIp     string
		HttpStatus   int
		ErrorCode    string
		Resources    map[string]string
		Request      map[string]any
	}
	NextToken string
}

// auditTrail is the first page of key A's audit trail.
func (e *env) auditTrail(t *testing.T) auditPage {
	t.Helper()
	_, page := e.auditListing(t, "")
	return page
}

// auditListing asks for key A's audit trail with query, and returns the
// answer and, when it is one, the page it holds.
func (e *env) auditListing(t *testing.T, query string) (rawResponse, auditPage) {
	t.Helper()
	resp := e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/audit", query: query})
	var page auditPage
	json.Unmarshal(resp.body, &page)
	return resp, page
}

func TestAuditTrailRecordsWhoDidWhatPerAWSAccount(t *testing.T) {
	e := start(t)
	a := e.client(keyA)
	id := createAccount(t, a, "audited")
	_, err := a.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(id), Email: aws.String("hidden@example.com")})
	noErr(t, err)
	// Signed calls to paths and methods that name no operation changed
	// nothing: they are not audited.
	for _, r := range []rawRequest{{method: "POST", path: "/no/such/thing"}, {method: "PATCH", path: "/accounts"},
		{method: "OPTIONS", path: "/accounts"}, {method: "PUT", path: "/_chimed/whatever"}} {
		if resp := e.send(t, keyA, r); resp.status != 404 {
			t.Fatalf("%s %s: %s", r.method, r.path, resp)
		}
	}
	_, err = a.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String("nope")})
	wantError(t, err, "NotFoundException")
	_, err = a.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)}) // reads are not audited
	noErr(t, err)
	createAccount(t, e.client(keyB), "other tenant")

	var page auditPage
	waitFor(t, func() bool {
		page = e.auditTrail(t)
		return len(page.Events) >= 3
	})
	if len(page.Events) != 3 {
		t.Fatalf("want 3 events (CreateAccount, CreateUser, DeleteAccount), got %+v", page.Events)
	}
	ops := []string{page.Events[0].Operation, page.Events[1].Operation, page.Events[2].Operation}
	if strings.Join(ops, ",") != "CreateAccount,CreateUser,DeleteAccount" {
		t.Fatalf("operations %v", ops)
	}
	user := page.Events[1]
	if user.AwsAccountId != accountA || user.PrincipalArn != "arn:aws:iam::"+accountA+":user/alice" ||
		user.SourceIp != "127.0.0.1" || user.HttpStatus != 201 || user.Resources["accountId"] != id {
		t.Fatalf("CreateUser event %+v", user)
	}
	if user.Request["Email"] != "*** redacted ***" {
		t.Fatalf("sensitive Email not redacted: %+v", user.Request)
	}
	if del := page.Events[2]; del.ErrorCode != "NotFound" || del.HttpStatus != 404 {
		t.Fatalf("refused DeleteAccount event %+v", del)
	}

	resp := e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/audit", query: "operation=CreateUser&max-results=1"})
	page = auditPage{}
	noErr(t, json.Unmarshal(resp.body, &page))
	if len(page.Events) != 1 || page.Events[0].Operation != "CreateUser" || page.NextToken != "" {
		t.Fatalf("filtered by operation: %s", resp.body)
	}

	// Pages follow one another; the token continues only the listing of
	// its caller and filters, and cannot be made up.
	resp = e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/audit", query: "max-results=2"})
	page = auditPage{}
	noErr(t, json.Unmarshal(resp.body, &page))
	next := url.QueryEscape(page.NextToken)
	resp = e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/audit", query: "max-results=2&next-token=" + next})
	rest := auditPage{}
	noErr(t, json.Unmarshal(resp.body, &rest))
	if len(rest.Events) != 1 || rest.Events[0].Operation != "DeleteAccount" || rest.NextToken != "" {
		t.Fatalf("second page: %s", resp.body)
	}
	for _, tt := range []struct {
		name, key, query string
	}{
		{"another AWS account", keyB, "next-token=" + next},
		{"another filter", keyA, "operation=CreateUser&next-token=" + next},
		{"made up", keyA, "next-token=" + url.QueryEscape("1/2")},
	} {
		if resp := e.send(t, tt.key, rawRequest{method: "GET", path: "/_chimed/audit", query: tt.query}); resp.status != 400 || !strings.Contains(resp.message(), "NextToken") {
			t.Errorf("%s: %s", tt.name, resp)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testAPI(c *server.Config) { c.EnableTestAPI = true }

func TestTestAPIIsOffUnlessEnabled(t *testing.T) {
	e := start(t)
	resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/reset"})
	// The 404 says why: a test suite pointed at a server started without
	// the flag is a common mistake.
	if resp.status != http.StatusNotFound || !strings.Contains(resp.message(), "--enable-test-api") {
		t.Fatalf("reset without --enable-test-api: %s", resp)
	}
}

// A background job that fails turns the clock call into a 500 that says the
// clock did move and which job failed, not a 200 claiming that whatever fell
// due is done.
func TestTestAPIClockReportsFailedJobs(t *testing.T) {
	e := start(t, testAPI, func(c *server.Config) { c.SQLiteShared = true })
	db := e.writableDatabase(t)
	_, err := db.Exec(`ALTER TABLE phone_number_orders RENAME TO phone_number_orders_gone`)
	noErr(t, err)
	resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/clock", body: []byte(`{"Advance": "1h"}`)})
	if resp.status != http.StatusInternalServerError || resp.errorType() != "ServiceFailureException" ||
		!strings.Contains(resp.message(), "the clock moved") || !strings.Contains(resp.message(), "fulfil-phone-number-orders") {
		t.Fatalf("clock moved with a failing job: %s", resp)
	}
	var state struct{ Offset string }
	noErr(t, json.Unmarshal(e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/test/clock"}).body, &state))
	if state.Offset != "1h0m0s" {
		t.Fatalf("the clock reads offset %q after the failed call, want 1h0m0s", state.Offset)
	}
	_, err = db.Exec(`ALTER TABLE phone_number_orders_gone RENAME TO phone_number_orders`)
	noErr(t, err)
	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/clock", body: []byte(`{"Advance": "1s"}`)}); resp.status != http.StatusOK {
		t.Fatalf("clock with the jobs working again: %s", resp)
	}
}

// A reset removes every record of the caller's AWS account, in every table,
// and none of another's. The check reads the database itself: no row of any
// table may still name the caller's AWS account or its Chime accounts.
func TestTestAPIResetEmptiesOnlyTheCallersAccount(t *testing.T) {
	bot := startTestBot(t, false)
	e := startTelephony(t, testAPI, bot.trusted)
	mine := populateTenant(t, e, keyA, "mine.example.com", bot.url())
	theirs := populateTenant(t, e, keyB, "theirs.example.com", bot.url())
	state := openState(t, e)
	theirRows := state.rowsNaming(t, append(theirs, accountB)...)
	tables := rowTables(state.rowsNaming(t, append(mine, accountA)...))
	if len(tables) < 15 {
		t.Fatalf("the tenant has records in only %d tables, %v: the check would miss the others", len(tables), tables)
	}
	t.Logf("the tenant had records in %d tables: %v", len(tables), tables)

	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/reset"}); resp.status != 204 {
		t.Fatalf("reset: %s", resp)
	}
	if left := state.rowsNaming(t, append(mine, accountA)...); len(left) != 0 {
		t.Fatalf("rows of the reset AWS account left:\n%s", strings.Join(left, "\n"))
	}
	if after := state.rowsNaming(t, append(theirs, accountB)...); !slices.Equal(after, theirRows) {
		t.Fatalf("the other AWS account's rows changed: %d before, %d after", len(theirRows), len(after))
	}
	mineListed, err := e.client(keyA).ListAccounts(ctx, &chime.ListAccountsInput{})
	noErr(t, err)
	theirsListed, err := e.client(keyB).ListAccounts(ctx, &chime.ListAccountsInput{})
	noErr(t, err)
	if len(mineListed.Accounts) != 0 || len(theirsListed.Accounts) != 2 {
		t.Fatalf("after reset: mine %d accounts, theirs %d", len(mineListed.Accounts), len(theirsListed.Accounts))
	}
}

// populateTenant gives key's AWS account records of every kind it can make
// without a SIP trunk: an Enterprise account with a user, a room with a
// member, a bot (with its events delivered and a reply), a webhook, a
// conversation, messages and retention settings; a Team account with an
// invitation; an ordered phone number with a calling name, and global
// settings. It returns the two Chime account IDs.
func populateTenant(t *testing.T, e *env, key, domain, botURL string) []string {
	t.Helper()
	c := e.client(key)
	acct := collabAccount(t, e, key, domain)
	user := collabUser(t, e, key, acct, "ana@"+domain, "ana")
	other := collabUser(t, e, key, acct, "bo@"+domain, "bo")
	room := collabRoom(t, e, key, acct, "ops")
	_, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: aws.String(user)})
	noErr(t, err)
	b := collabBot(t, e, key, acct, "helper", botURL)
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: aws.String(acct), RoomId: aws.String(room), MemberId: b.BotId})
	noErr(t, err)
	hook := createWebhook(t, e, key, acct, room, "feed")
	postToRoom(t, e, hook, "@helper status?")
	collabCall(t, e, key, "POST", conversationsPath(acct), map[string][]string{"MemberIds": {user, other}}).want(t, http.StatusCreated, "")
	_, err = c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: aws.String(acct), RetentionSettings: &types.RetentionSettings{
		RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: aws.Int32(30)}}})
	noErr(t, err)

	team := collabTeamAccount(t, e, key)
	_, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: aws.String(team), UserEmailList: []string{"cy@" + domain}})
	noErr(t, err)

	n := e.acquire(t, key, types.PhoneNumberProductTypeBusinessCalling, "206", 1)[0]
	_, err = c.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(n), CallingName: aws.String("Ops Desk")})
	noErr(t, err)
	_, err = c.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Example Ops")})
	noErr(t, err)
	e.runJobs(0) // the bot's events go out, with their answer URLs
	return []string{acct, team}
}

// rowsNaming is every row, of every table but the server's own records,
// that contains one of ids, as "table: row".
func (s *dbState) rowsNaming(t *testing.T, ids ...string) []string {
	t.Helper()
	var out []string
	for _, table := range s.tables(t) {
		if operationalTables[table] || table == "test_snapshots" {
			continue
		}
		for _, row := range tableRows(t, s.db, table) {
			for _, id := range ids {
				if strings.Contains(row, id) {
					out = append(out, table+": "+row)
					break
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// rowTables is the tables that rows (as rowsNaming gives them) are in.
func rowTables(rows []string) []string {
	var tables []string
	for _, r := range rows {
		table, _, _ := strings.Cut(r, ": ")
		if !slices.Contains(tables, table) {
			tables = append(tables, table)
		}
	}
	return tables
}

func TestTestAPISnapshotAndRestore(t *testing.T) {
	e := start(t, testAPI)
	a := e.client(keyA)
	kept := createAccount(t, a, "kept")
	user, err := a.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(kept), Email: aws.String("kept@example.com")})
	noErr(t, err)
	resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/snapshots"})
	var snap struct{ SnapshotId string }
	noErr(t, json.Unmarshal(resp.body, &snap))
	if resp.status != 201 || snap.SnapshotId == "" {
		t.Fatalf("snapshot: %s", resp)
	}
	createAccount(t, a, "later")
	_, err = a.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: aws.String(kept), UserIdList: []string{aws.ToString(user.User.UserId)}})
	noErr(t, err)
	_, err = a.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String(kept)})
	noErr(t, err)

	if resp := e.send(t, keyB, rawRequest{method: "POST", path: "/_chimed/test/snapshots/" + snap.SnapshotId + "/restore"}); resp.status != 404 {
		t.Fatalf("another AWS account restored my snapshot: %s", resp)
	}
	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/snapshots/" + snap.SnapshotId + "/restore"}); resp.status != 204 {
		t.Fatalf("restore: %s", resp)
	}
	list, err := a.ListAccounts(ctx, &chime.ListAccountsInput{})
	noErr(t, err)
	if len(list.Accounts) != 1 || aws.ToString(list.Accounts[0].AccountId) != kept {
		t.Fatalf("after restore: %+v", list.Accounts)
	}
	got, err := a.GetUser(ctx, &chime.GetUserInput{AccountId: aws.String(kept), UserId: user.User.UserId})
	noErr(t, err)
	if aws.ToString(got.User.PrimaryEmail) != "kept@example.com" {
		t.Fatalf("user after restore: %+v", got.User)
	}
}

func TestTestAPIClockDrivesLifecycles(t *testing.T) {
	e := start(t, testAPI)
	a := e.client(keyA)
	id := createAccount(t, a, "to purge")
	_, err := a.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String(id)})
	noErr(t, err)
	_, err = a.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
	noErr(t, err) // still in the disabled list

	resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/clock", body: []byte(`{"Advance":"2161h"}`)})
	if resp.status != 200 || !strings.Contains(string(resp.body), `"Offset":"2161h0m0s"`) {
		t.Fatalf("advance: %s", resp)
	}
	_, err = a.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
	wantError(t, err, "NotFoundException")

	// Times the clock cannot read, rather than clamped or wrapped around:
	// before 1970 (year 1, Go's zero time, too), or further than a
	// time.Duration reaches. A refusal of one member's value names it.
	for _, tt := range []struct{ body, member string }{
		{`{}`, ""},
		{`{"Advance":"1h","Set":"2030-01-01T00:00:00Z"}`, ""},
		{`{"Advance":"soon"}`, "Advance"},
		{`{"Advance":"-1h"}`, "Advance"},
		{`{"Advance":"-1ns"}`, "Advance"},
		{`{"Advance":"2560000h"}`, ""},
		{`{"Set":"9999-12-30T00:00:00Z"}`, ""},
		{`{"Set":"1969-12-31T23:59:59Z"}`, ""},
		{`{"Set":"0001-01-01T00:00:00Z"}`, ""},
		{`{"Set":-62135596800}`, ""},
	} {
		resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/clock", body: []byte(tt.body)})
		if resp.status != 400 || !strings.HasPrefix(resp.message(), tt.member) {
			t.Errorf("clock %s: %s, want a 400 naming %q", tt.body, resp, tt.member)
		}
	}
	// A time that is not one names the member.
	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/clock", body: []byte(`{"Set":"yesterday"}`)}); resp.status != 400 ||
		!strings.Contains(string(resp.body), `Set: timestamp \"yesterday\" is not ISO 8601`) {
		t.Errorf("clock set to yesterday: %s", resp)
	}
	if resp := e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/test/clock"}); !strings.Contains(string(resp.body), `"Offset":"2161h0m0s"`) {
		t.Fatalf("clock after the refusals: %s", resp)
	}
}

func TestTestAPIFaultMakesTheNextTwoCallsFail(t *testing.T) {
	e := start(t, testAPI)
	a := e.client(keyA)
	id := createAccount(t, a, "faulty")
	resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/faults",
		body: []byte(`{"Operation":"GetAccount","ErrorType":"ServiceUnavailableException","Remaining":2}`)})
	if resp.status != 201 {
		t.Fatalf("add fault: %s", resp)
	}
	listed := e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/test/faults"})
	if !strings.Contains(string(listed.body), "ServiceUnavailableException") {
		t.Fatalf("fault not listed: %s", listed)
	}
	for i := 0; i < 2; i++ {
		_, err := a.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
		wantError(t, err, "ServiceUnavailableException")
	}
	_, err := a.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
	noErr(t, err)

	e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/faults", body: []byte(`{"Operation":"*","ErrorType":"ThrottledClientException"}`)})
	if resp := e.send(t, keyA, rawRequest{method: "DELETE", path: "/_chimed/test/faults"}); resp.status != 204 {
		t.Fatalf("clear faults: %s", resp)
	}
	_, err = a.ListAccounts(ctx, &chime.ListAccountsInput{})
	noErr(t, err)
}

// An injected throttle can say when to come back, as chimed's own rate
// limit does, for code that honours Retry-After.
func TestTestAPIFaultRetryAfter(t *testing.T) {
	e := start(t, testAPI)
	resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/faults",
		body: []byte(`{"Operation":"ListAccounts","ErrorType":"ThrottledClientException","RetryAfterSeconds":7,"Remaining":1}`)})
	if resp.status != http.StatusCreated {
		t.Fatalf("add fault: %s", resp)
	}
	throttled := e.send(t, keyA, rawRequest{method: "GET", path: "/accounts"})
	if throttled.status != http.StatusTooManyRequests || throttled.header.Get("Retry-After") != "7" {
		t.Fatalf("injected throttle: %s, Retry-After %q; want 429 with Retry-After 7", throttled, throttled.header.Get("Retry-After"))
	}
	// Only an answer that a client retries carries it.
	resp = e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/faults",
		body: []byte(`{"Operation":"GetAccount","ErrorType":"NotFoundException","RetryAfterSeconds":7}`)})
	if resp.status != http.StatusBadRequest || !strings.Contains(string(resp.body), "RetryAfterSeconds") {
		t.Fatalf("Retry-After on a 404: %s", resp)
	}
}

// The test API's bodies are chimed's own: a member it does not know is a
// mistake to report, not one to ignore as the API does. A misspelt
// "Remaining" would otherwise make a rule that never runs out.
func TestTestAPIRefusesUnknownMembers(t *testing.T) {
	e := start(t, testAPI)
	for _, tt := range []struct{ path, body, member string }{
		{"/_chimed/test/faults", `{"Operation":"ListAccounts","ErrorType":"ServiceUnavailableException","Count":1}`, "Count"},
		{"/_chimed/test/faults", `{"Operation":"ListAccounts","ErrorType":"ServiceUnavailableException","remaining":1}`, "remaining"},
		{"/_chimed/test/clock", `{"Advance":"1h","By":"2h"}`, "By"},
	} {
		resp := e.send(t, keyA, rawRequest{method: "POST", path: tt.path, body: []byte(tt.body)})
		if resp.status != http.StatusBadRequest || !strings.Contains(string(resp.body), tt.member+": ") {
			t.Errorf("POST %s %s: %s, want a 400 naming %s", tt.path, tt.body, resp, tt.member)
		}
	}
	if listed := e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/test/faults"}); string(listed.body) != `{"Faults":[]}` {
		t.Fatalf("refused rules were added: %s", listed)
	}
}

// DELETE /_chimed/test/faults/{ruleId} removes that one rule, and only in
// the caller's AWS account: another tenant's rule is not found.
func TestTestAPIFaultDeletedByID(t *testing.T) {
	e := start(t, testAPI)
	a := e.client(keyA)
	id := createAccount(t, a, "faulty")
	addFault := func(body string) string {
		resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/faults", body: []byte(body)})
		var out struct{ Fault struct{ RuleId string } }
		if resp.status != http.StatusCreated || json.Unmarshal(resp.body, &out) != nil || out.Fault.RuleId == "" {
			t.Fatalf("add fault: %s", resp)
		}
		return out.Fault.RuleId
	}
	getAccount := addFault(`{"Operation":"GetAccount","ErrorType":"ServiceUnavailableException"}`)
	listAccounts := addFault(`{"Operation":"ListAccounts","ErrorType":"ServiceUnavailableException"}`)

	tests := []struct {
		name, key, ruleID string
		status            int
		errorType         string
	}{
		{"another tenant's rule", keyB, getAccount, http.StatusNotFound, "NotFoundException"},
		{"an unknown rule", keyA, "no-such-rule", http.StatusNotFound, "NotFoundException"},
		{"the caller's rule", keyA, getAccount, http.StatusNoContent, ""},
		{"a rule already removed", keyA, getAccount, http.StatusNotFound, "NotFoundException"},
	}
	for _, tt := range tests {
		resp := e.send(t, tt.key, rawRequest{method: "DELETE", path: "/_chimed/test/faults/" + tt.ruleID})
		if resp.status != tt.status || resp.errorType() != tt.errorType {
			t.Errorf("%s: %s, want %d %s", tt.name, resp, tt.status, tt.errorType)
		}
	}

	_, err := a.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
	noErr(t, err)
	_, err = a.ListAccounts(ctx, &chime.ListAccountsInput{})
	wantError(t, err, "ServiceUnavailableException")
	listed := e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/test/faults"})
	if !strings.Contains(string(listed.body), listAccounts) || strings.Contains(string(listed.body), getAccount) {
		t.Fatalf("faults after removing %s: %s", getAccount, listed)
	}
}

// A reset removes the caller's fault rules with its records, so that a test
// that failed before removing its rules does not disturb the next one; the
// other AWS account's rules stay.
func TestTestAPIResetRemovesTheCallersFaultRules(t *testing.T) {
	e := start(t, testAPI)
	for _, key := range []string{keyA, keyB} {
		resp := e.send(t, key, rawRequest{method: "POST", path: "/_chimed/test/faults", body: []byte(`{"Operation":"*","LatencyMs":1}`)})
		if resp.status != http.StatusCreated {
			t.Fatalf("add fault: %s", resp)
		}
	}
	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/reset"}); resp.status != http.StatusNoContent {
		t.Fatalf("reset: %s", resp)
	}
	for key, want := range map[string]int{keyA: 0, keyB: 1} {
		var listed struct{ Faults []struct{ RuleId string } }
		resp := e.send(t, key, rawRequest{method: "GET", path: "/_chimed/test/faults"})
		if resp.status != http.StatusOK || json.Unmarshal(resp.body, &listed) != nil || len(listed.Faults) != want {
			t.Errorf("after A's reset, %s's faults: %s, want %d", key, resp, want)
		}
	}
}

// The test API's clock drives the phone number deletion queue: a number
// deleted and then eight days of test-clock time later is gone for good.
func TestTestAPIClockPurgesADeletedNumberAfterEightDays(t *testing.T) {
	e := startTelephony(t, testAPI)
	c := e.client(keyA)
	number := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 1)[0]
	_, err := c.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(number)})
	noErr(t, err)
	if got := getNumber(t, c, number); got.Status != types.PhoneNumberStatusDeleteInProgress {
		t.Fatalf("after delete: %s", got.Status)
	}
	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/clock", body: []byte(`{"Advance":"192h"}`)}); resp.status != 200 {
		t.Fatalf("advance: %s", resp)
	}
	_, err = c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(number)})
	wantError(t, err, "NotFoundException")
}

// An extension call is recorded with the resources of its path, named by
// its pattern's wildcards, as an API operation is with its labels.
func TestAuditTrailNamesExtensionResources(t *testing.T) {
	e := start(t)
	acct := collabAccount(t, e, keyA, "example.com")
	room := collabRoom(t, e, keyA, acct, "ops")
	hook := createWebhook(t, e, keyA, acct, room, "feed")
	collabCall(t, e, keyA, "DELETE", "/_chimed/accounts/"+acct+"/rooms/"+room+"/webhooks/"+hook.WebhookId, nil).want(t, http.StatusNoContent, "")

	const deleted = "chimed:DELETE /_chimed/accounts/{accountId}/rooms/{roomId}/webhooks/{webhookId}"
	var page auditPage
	waitFor(t, func() bool {
		page = e.auditTrail(t)
		return len(page.Events) > 0 && page.Events[len(page.Events)-1].Operation == deleted
	})
	got := page.Events[len(page.Events)-1].Resources
	if got["accountId"] != acct || got["roomId"] != room || got["webhookId"] != hook.WebhookId {
		t.Fatalf("resources %v of the webhook's deletion", got)
	}
}

// Calls that a token in their URL authenticates change state too: each is
// audited in the AWS account that owns what the token opens, under the
// token's holder; a wrong token leaves no event, as a wrong signature does.
func TestAuditTrailRecordsTokenCalls(t *testing.T) {
	e, endpoint, _, _, hook, bot := invitedBot(t)
	postToRoom(t, e, hook, "deploy finished")
	wrongToken := strings.Replace(hook.Url, "token=", "token=x", 1)
	postWebhook(t, e, wrongToken, "forged").want(t, http.StatusForbidden, "ForbiddenException")
	invite := endpoint.events()[0]
	reply(t, e, invite, "on it").want(t, http.StatusOK, "")
	replyURL, err := url.Parse(invite.event.InboundHttpsEndpoint.Url)
	noErr(t, err)
	team := collabTeamAccount(t, e, keyA)
	inviteID := aws.ToString(inviteUsers(t, e, team, "ana@example.com")[0].InviteId)
	link := listInvitations(t, e, keyA, team, "").Invitations[0].InvitationUrl
	collabCall(t, e, "", "POST", link, nil).want(t, http.StatusOK, "")

	want := map[string]struct{ principal, resource, id string }{
		"chimed:POST /incomingwebhooks/{webhookId}": {"chimed:webhook/" + hook.WebhookId, "webhookId", hook.WebhookId},
		"chimed:POST /botreplies/{endpointId}":      {"chimed:bot/" + aws.ToString(bot.BotId), "endpointId", path.Base(replyURL.Path)},
		"chimed:POST /invitations/{inviteId}":       {"chimed:invitation/" + inviteID, "inviteId", inviteID},
	}
	var page auditPage
	waitFor(t, func() bool {
		page = e.auditTrail(t)
		n := 0
		for _, ev := range page.Events {
			if _, ok := want[ev.Operation]; ok {
				n++
			}
		}
		return n >= len(want)
	})
	seen := map[string]int{}
	for _, ev := range page.Events {
		w, ok := want[ev.Operation]
		if !ok {
			continue
		}
		seen[ev.Operation]++
		if ev.AwsAccountId != accountA || ev.PrincipalArn != w.principal || ev.AccessKeyId != "" || ev.HttpStatus != http.StatusOK ||
			ev.Resources[w.resource] != w.id || ev.Request != nil || ev.SourceIp != "127.0.0.1" {
			t.Errorf("event %+v, want principal %s and %s %s", ev, w.principal, w.resource, w.id)
		}
	}
	for op := range want {
		if seen[op] != 1 {
			t.Errorf("%d events of %s, want 1 (a wrong token records none)", seen[op], op)
		}
	}
}

// Audit events older than --audit-retention leave the database at the next
// job run; newer ones stay.
func TestAuditRetentionPrunesOldEvents(t *testing.T) {
	const retention = 2 * time.Second
	e := start(t, func(c *server.Config) { c.AuditRetention = retention })
	a := e.client(keyA)
	trail := func() []map[string]any {
		var requests []map[string]any
		for _, ev := range e.auditTrail(t).Events {
			requests = append(requests, ev.Request)
		}
		return requests
	}
	createAccount(t, a, "old")
	waitFor(t, func() bool { return len(trail()) == 1 })
	time.Sleep(retention)
	// The new event is a few milliseconds old when the jobs run (and may
	// not even be written yet): far from the retention.
	createAccount(t, a, "new")
	e.runJobs(0)
	var left []map[string]any
	waitFor(t, func() bool { left = trail(); return len(left) == 1 && left[0]["Name"] == "new" })
	time.Sleep(100 * time.Millisecond) // two audit batch intervals: nothing else comes
	if left = trail(); len(left) != 1 || left[0]["Name"] != "new" {
		t.Fatalf("after pruning, the trail holds %v; want only the new account's creation", left)
	}
}

// The rate limit counts calls to the extension endpoints too: they write
// (webhooks, messages) and read (the audit trail) as much as the API does.
func TestThrottlingCoversExtensionEndpoints(t *testing.T) {
	e := start(t, func(c *server.Config) { c.RateLimit = "5/s" })
	var throttled int
	for range 12 {
		resp := e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/audit"})
		switch resp.status {
		case http.StatusTooManyRequests:
			throttled++
			if resp.errorType() != "ThrottledClientException" || resp.header.Get("Retry-After") == "" {
				t.Fatalf("throttled extension call answered %v", resp)
			}
		case http.StatusOK:
		default:
			t.Fatalf("audit listing answered %v", resp)
		}
	}
	if throttled == 0 {
		t.Fatal("a burst of 12 extension calls at 5/s was never throttled")
	}
}

// The test API steers a suite rather than being traffic under test: a test
// that spent its key's rate must not make the next one's reset fail, nor do
// the test API's calls spend the rate.
func TestThrottlingLeavesTheTestAPIAlone(t *testing.T) {
	e := start(t, testAPI, func(c *server.Config) { c.RateLimit = "1/s" })
	for range 3 {
		if resp := e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/test/clock"}); resp.status != http.StatusOK {
			t.Fatalf("clock: %s", resp)
		}
	}
	if resp := e.send(t, keyA, rawRequest{method: "GET", path: "/accounts"}); resp.status != http.StatusOK {
		t.Fatalf("the first API call after test API calls: %s", resp)
	}
	if resp := e.send(t, keyA, rawRequest{method: "GET", path: "/accounts"}); resp.status != http.StatusTooManyRequests {
		t.Fatalf("the second API call within the second: %s, want 429", resp)
	}
	if resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/reset"}); resp.status != http.StatusNoContent {
		t.Fatalf("reset with the key's rate spent: %s", resp)
	}
}

// A snapshot holding a phone number that another AWS account has bought
// since cannot be restored: a 409 that says why, and nothing changes.
func TestTestAPIRestoreOfANumberTakenElsewhere(t *testing.T) {
	e := startTelephony(t, testAPI)
	a := e.client(keyA)
	n := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "206", 1)[0]
	resp := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/snapshots"})
	var snap struct{ SnapshotId string }
	noErr(t, json.Unmarshal(resp.body, &snap))
	_, err := a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(n)})
	noErr(t, err)
	e.runJobs(8 * 24 * time.Hour) // out of the deletion queue, back in the catalogue
	o := order(t, e.client(keyB), types.PhoneNumberProductTypeVoiceConnector, n)
	e.runJobs(orderDelay)
	if got := getOrder(t, e.client(keyB), o.PhoneNumberOrderId); got.Status != types.PhoneNumberOrderStatusSuccessful {
		t.Fatalf("the other AWS account's order %+v", got)
	}
	kept := createAccount(t, a, "made after the snapshot")

	resp = e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/snapshots/" + snap.SnapshotId + "/restore"})
	if resp.status != http.StatusConflict || resp.errorType() != "ConflictException" || !strings.Contains(resp.message(), "another AWS account") {
		t.Fatalf("restore: %v", resp)
	}
	// The restore began by clearing the tenant's data: it is all back.
	_, err = a.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(kept)})
	noErr(t, err)
}

// A database that orders text otherwise than SQLite (a PostgreSQL database
// with a linguistic collation) is named in a warning at start; the test's
// own database, SQLite or PostgreSQL with the C collation, is not.
func TestStartWarnsOfALinguisticCollation(t *testing.T) {
	const warning = "does not order text byte by byte"
	tests := []struct {
		name string
		db   func(t *testing.T) string
		warn bool
	}{
		{"the test database", func(t *testing.T) string { return "" }, false},
		{"PostgreSQL, ICU en-US", func(t *testing.T) string {
			return pgtest.NewDatabase(t, "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'")
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := tt.db(t)
			logs := &syncBuffer{}
			start(t, func(c *server.Config) { c.LogOutput, c.DB = logs, db })
			if got := strings.Contains(logs.String(), warning); got != tt.warn {
				t.Errorf("warned of the collation: %v, want %v; log:\n%s", got, tt.warn, logs)
			}
		})
	}
}

// The audit listing's query: max-results is 1 to 1000 (100 by default),
// start and end are ISO 8601 times that bound the events; anything else is
// a 400 naming the parameter, not a listing that ignores it.
func TestAuditTrailQuery(t *testing.T) {
	e := start(t)
	a := e.client(keyA)
	for range 101 {
		_, err := a.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String("nope")})
		wantError(t, err, "NotFoundException")
	}
	waitFor(t, func() bool {
		_, page := e.auditListing(t, "max-results=1000")
		return len(page.Events) == 101
	})
	if resp, page := e.auditListing(t, ""); resp.status != 200 || len(page.Events) != 100 || page.NextToken == "" {
		t.Fatalf("default page: %d events, NextToken %q: %s", len(page.Events), page.NextToken, resp)
	}
	future := url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	past := url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"start=" + future, 0},
		{"end=" + past, 0},
		{"start=" + past + "&end=" + future + "&max-results=1000", 101},
	} {
		if resp, page := e.auditListing(t, tt.query); resp.status != 200 || len(page.Events) != tt.want {
			t.Errorf("%s: %d events, want %d: %s", tt.query, len(page.Events), tt.want, resp)
		}
	}
	for _, tt := range []struct {
		query, names string
	}{
		{"max-results=0", "max-results"},
		{"max-results=1001", "max-results"},
		{"max-results=-1", "max-results"},
		{"max-results=ten", "max-results"},
		{"start=yesterday", "start"},
		{"end=2026-13-01T00:00:00Z", "end"},
	} {
		if resp, _ := e.auditListing(t, tt.query); resp.status != 400 || resp.errorType() != "BadRequestException" || !strings.HasPrefix(resp.message(), tt.names+": ") {
			t.Errorf("%s: %s, want a 400 naming %s", tt.query, resp, tt.names)
		}
	}
}

// An Advance that would take the offset past what a time.Duration holds is
// refused, and the clock stays where it was, rather than wrapping around
// to a time in the past that happens to be after 1970.
func TestTestAPIClockAdvanceDoesNotWrap(t *testing.T) {
	e := start(t, testAPI)
	clock := func(body string) rawResponse {
		return e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/test/clock", body: []byte(body)})
	}
	if resp := clock(`{"Set":"2300-01-01T00:00:00Z"}`); resp.status != 200 {
		t.Fatalf("set: %s", resp)
	}
	// 2300 is 274 years away, plus 285 more: 559 years, past the 292 a
	// duration holds (as int64 nanoseconds, it would wrap to a time in 2000).
	if resp := clock(`{"Advance":"2500000h"}`); resp.status != 400 {
		t.Errorf("advance past 292 years: %s", resp)
	}
	var state struct{ Now string }
	noErr(t, json.Unmarshal(e.send(t, keyA, rawRequest{method: "GET", path: "/_chimed/test/clock"}).body, &state))
	if !strings.HasPrefix(state.Now, "2300-01-01T") {
		t.Fatalf("the clock reads %s after the refusal, want 2300-01-01", state.Now)
	}
}
