package gov1

// What every test shares, as clients/js/harness.mjs: the Chime client of the
// AWS SDK for Go v1, the server's /_chimed/ extension endpoints (signed with
// v1's own SigV4 signer) and the checks of modelled errors.
//
// The server is named by CHIMED_ENDPOINT (clients/run.sh starts one and sets
// it); the access key by CHIMED_ACCESS_KEY_ID / CHIMED_SECRET_ACCESS_KEY, the
// AWS account it acts for by CHIMED_AWS_ACCOUNT_ID.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/aws/session"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
	"github.com/aws/aws-sdk-go/service/chime"
)

const (
	region = "us-east-1"
	// The service model, for the HTTP status of each modelled error.
	modelPath = "../../api/chime-2018-05-01.model.json"
	unknown   = "00000000-0000-4000-8000-000000000000"
)

var (
	endpoint     = envOr("CHIMED_ENDPOINT", "http://127.0.0.1:8080")
	awsAccountID = envOr("CHIMED_AWS_ACCOUNT_ID", "000000000000")
	creds        = credentials.NewStaticCredentials(
		envOr("CHIMED_ACCESS_KEY_ID", "test"), envOr("CHIMED_SECRET_ACCESS_KEY", "test"), "")

	// Names and emails carry this run's tag, so that runs can share a
	// server.
	run = randomHex(8)

	sess = session.Must(session.NewSession(&aws.Config{
		Region:      aws.String(region),
		Endpoint:    aws.String(endpoint),
		Credentials: creds,
		// A retry would hide a failure.
		MaxRetries: aws.Int(0),
	}))
)

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)[:n]
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func unique(name string) string { return name + "-" + run + "-" + randomHex(6) }
func email(name string) string  { return unique(name) + "@example.com" }

// serverFailed: every 5xx answer fails the test that got it, whatever it
// expected, except 503: the modelled ServiceUnavailableException (e.g.
// dial-out without a SIP trunk).
func serverFailed(status int) bool { return status >= 500 && status != 503 }

// newClient returns a Chime client for one test: a 5xx answer to any of its
// calls fails t, even when the test expected an error.
func newClient(t *testing.T) *chime.Chime {
	c := chime.New(sess)
	c.Handlers.Complete.PushBack(func(r *request.Request) {
		if r.HTTPResponse != nil && serverFailed(r.HTTPResponse.StatusCode) {
			t.Errorf("the server failed: %s: HTTP %d", r.Operation.Name, r.HTTPResponse.StatusCode)
		}
	})
	return c
}

// send sends a request made by one of the client's <Operation>Request
// methods and returns the HTTP status of its answer, which the outputs of v1
// do not carry.
func send(t *testing.T, req *request.Request) int {
	t.Helper()
	if err := req.Send(); err != nil {
		t.Fatalf("%s: %v", req.Operation.Name, err)
	}
	return req.HTTPResponse.StatusCode
}

// must fails the test unless err is nil: the call was expected to succeed.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// errorCodes is the value of the ErrorCode enum each modelled exception
// carries in its body's Code member. v1 keeps it in the exception's Code_
// field; its Code() is the exception's name.
var errorCodes = map[string]string{
	"AccessDeniedException":          "AccessDenied",
	"BadRequestException":            "BadRequest",
	"ConflictException":              "Conflict",
	"ForbiddenException":             "Forbidden",
	"NotFoundException":              "NotFound",
	"ResourceLimitExceededException": "ResourceLimitExceeded",
	"ServiceFailureException":        "ServiceFailure",
	"ServiceUnavailableException":    "ServiceUnavailable",
	"ThrottledClientException":       "Throttled",
	"UnauthorizedClientException":    "Unauthorized",
	"UnprocessableEntityException":   "Unprocessable",
}

var errorStatuses = sync.OnceValues(func() (map[string]int, error) {
	raw, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, err
	}
	var model struct {
		Shapes map[string]struct {
			Error *struct {
				HTTPStatusCode int `json:"httpStatusCode"`
			} `json:"error"`
		} `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &model); err != nil {
		return nil, fmt.Errorf("%s: %w", modelPath, err)
	}
	statuses := map[string]int{}
	for name, shape := range model.Shapes {
		if shape.Error != nil {
			statuses[name] = shape.Error.HTTPStatusCode
		}
	}
	return statuses, nil
})

// wantError asserts that err is the modelled exception E of v1, e.g.
// *chime.NotFoundException, as a v1 user sees it: that type, Code() its
// name, the HTTP status of the model, and the body's Code (e.g. "NotFound")
// in the exception's Code_ field. It returns the exception.
func wantError[E awserr.RequestFailure](t *testing.T, err error) E {
	t.Helper()
	var typed E
	name := reflect.TypeFor[E]().Elem().Name()
	if err == nil {
		t.Fatalf("want %s, got a success", name)
	}
	if !errors.As(err, &typed) {
		t.Fatalf("want %s, got %T: %v", name, err, err)
	}
	statuses, merr := errorStatuses()
	if merr != nil {
		t.Fatal(merr)
	}
	var failure awserr.RequestFailure
	if !errors.As(err, &failure) {
		t.Fatalf("%s is no awserr.RequestFailure", name)
	}
	if failure.Code() != name {
		t.Errorf("Code() %q, want %q", failure.Code(), name)
	}
	if want, ok := statuses[name]; !ok || failure.StatusCode() != want {
		t.Errorf("%s: HTTP %d, want %d (the model's)", name, failure.StatusCode(), want)
	}
	// Code_ is the body's Code, a field of every Chime exception of v1 and
	// of no interface.
	var bodyCode *string
	if f := reflect.ValueOf(typed).Elem().FieldByName("Code_"); f.IsValid() {
		bodyCode, _ = f.Interface().(*string)
	}
	if aws.StringValue(bodyCode) != errorCodes[name] {
		t.Errorf("%s: the body's Code is %q, want %q", name, aws.StringValue(bodyCode), errorCodes[name])
	}
	return typed
}

// extensionResponse is the answer of a /_chimed/ endpoint.
type extensionResponse struct {
	Status int
	Body   []byte
}

// decode decodes the JSON body into v.
func (r extensionResponse) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("HTTP %d %s: %v", r.Status, r.Body, err)
	}
}

// extension calls a /_chimed/ endpoint, signed with SigV4 for service chime
// as the API is.
func extension(t *testing.T, method, path string, body any) extensionResponse {
	t.Helper()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, endpoint+path, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if _, err := v4.NewSigner(creds).Sign(req, bytes.NewReader(payload), "chime", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return do(t, method+" "+path, req)
}

// postURL POSTs JSON to a full URL without signing it (a webhook's URL
// carries its own token).
func postURL(t *testing.T, url string, body any) extensionResponse {
	t.Helper()
	payload, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, "POST "+url, req)
}

func do(t *testing.T, what string, req *http.Request) extensionResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if serverFailed(resp.StatusCode) {
		t.Errorf("the server failed: %s: HTTP %d %.200s", what, resp.StatusCode, raw)
	}
	return extensionResponse{resp.StatusCode, raw}
}

func createAccount(t *testing.T, c *chime.Chime, name string) *chime.Account {
	t.Helper()
	out, err := c.CreateAccount(&chime.CreateAccountInput{Name: aws.String(unique(name))})
	must(t, err)
	return out.Account
}

// createEnterpriseAccount makes an Enterprise account as the Chime console
// did: a new account claims a domain (the /_chimed/ extension). It returns
// the account's ID and the domain.
func createEnterpriseAccount(t *testing.T, c *chime.Chime, accountType string) (accountID, domain string) {
	t.Helper()
	account := createAccount(t, c, "enterprise")
	domain = run + "-" + randomHex(6) + ".example.com"
	resp := extension(t, http.MethodPost, "/_chimed/accounts/"+aws.StringValue(account.AccountId)+"/domains",
		map[string]string{"Domain": domain, "AccountType": accountType})
	if resp.Status != http.StatusCreated {
		t.Fatalf("claim domain %s: HTTP %d %s", domain, resp.Status, resp.Body)
	}
	var out struct{ Account struct{ AccountId string } }
	resp.decode(t, &out)
	return out.Account.AccountId, domain
}

// createUser creates a user of the account; change, when given, sets more
// of the input (e.g. its UserType).
func createUser(t *testing.T, c *chime.Chime, accountID, name string, change ...func(*chime.CreateUserInput)) *chime.User {
	t.Helper()
	in := &chime.CreateUserInput{
		AccountId: aws.String(accountID),
		Email:     aws.String(email(name)),
		Username:  aws.String(unique(name)),
	}
	for _, f := range change {
		f(in)
	}
	out, err := c.CreateUser(in)
	must(t, err)
	return out.User
}

// waitUntil calls fetch until done(result) or 30 seconds have passed; it
// returns the result.
func waitUntil[T any](t *testing.T, what string, fetch func() T, done func(T) bool) T {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		result := fetch()
		if done(result) {
			return result
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last: %+v", what, result)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// fixture is state that several tests share, made once by the first test
// that needs it, as a JavaScript before() hook makes it. When its setup
// failed, that first test failed, and so does every later test that needs it.
type fixture[T any] struct {
	once sync.Once
	ok   bool
	val  T
}

func (f *fixture[T]) get(t *testing.T, setup func(*testing.T) T) T {
	t.Helper()
	f.once.Do(func() {
		f.val = setup(t)
		f.ok = true
	})
	if !f.ok {
		t.Fatal("the shared setup failed in an earlier test")
	}
	return f.val
}

// Small checks, each stopping the test as a failed assert does in the
// JavaScript suite.

func equal[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func deepEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\ngot  %v\nwant %v", what, got, want)
	}
}

func check(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(format, args...)
	}
}

// isTime reports whether v1 parsed a timestamp of the answer.
func isTime(ts *time.Time) bool { return ts != nil && !ts.IsZero() }
