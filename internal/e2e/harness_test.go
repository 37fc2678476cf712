// Package e2e drives a real chimed, started in-process on a loopback port,
// with the official AWS SDK for Go v2 Chime client.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/chimed/chimed/internal/server"
)

// Two tenants: the access keys of two AWS accounts.
const (
	keyA     = "AKIDTENANTA"
	keyB     = "AKIDTENANTB"
	secret   = "test-secret"
	accountA = "111122223333"
	accountB = "444455556666"
)

// env is one running server with its own database and clock.
type env struct {
	t     *testing.T
	srv   *server.Server
	clock *clock
	dir   string
	// db is the server's database: a SQLite path or a PostgreSQL DSN.
	db string
	// stopped says stop closed the server already.
	stopped bool
	// httpClient makes the test's requests: nil for http.DefaultClient, or
	// one that trusts the test's certificate when the server serves TLS.
	httpClient *http.Client
}

// clock is the server's domain clock; tests move it forward.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
	// stopped, once set, is read instead of the real time: a test can then
	// reach a lifecycle's end to the millisecond.
	stopped time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stopped.IsZero() {
		return c.stopped.Add(c.offset)
	}
	return time.Now().Add(c.offset)
}

// Stop keeps the clock at its present time until Advance moves it. The time
// is a whole millisecond, as the server keeps times, so that the test's own
// sums land on the server's instants.
func (c *clock) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = time.Now().Truncate(time.Millisecond)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// start runs a fresh server for the test and stops it at the end; opts
// adjust its configuration.
func start(t *testing.T, opts ...func(*server.Config)) *env {
	t.Helper()
	dir := t.TempDir()
	credsPath := filepath.Join(dir, "credentials.json")
	writeJSON(t, credsPath, map[string]any{"Credentials": []map[string]string{
		{"AccessKeyId": keyA, "SecretAccessKey": secret, "AwsAccountId": accountA, "PrincipalArn": "arn:aws:iam::" + accountA + ":user/alice"},
		{"AccessKeyId": keyB, "SecretAccessKey": secret, "AwsAccountId": accountB},
	}})
	e := &env{t: t, clock: &clock{}, dir: dir}
	cfg := server.Config{
		Addr:        "127.0.0.1:0",
		Credentials: credsPath,
		JobInterval: time.Hour, // tests run jobs themselves, after moving the clock
		Now:         e.clock.Now,
		LogOutput:   io.Discard,
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.DB == "" {
		cfg.DB = testDatabase(t, dir)
	}
	e.db = cfg.DB
	srv, err := server.Start(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() {
		if e.stopped {
			return
		}
		if err := srv.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	e.srv = srv
	return e
}

// stop closes the server before the test ends, e.g. to start another on its
// database as after a restart.
func (e *env) stop(t *testing.T) {
	t.Helper()
	e.stopped = true
	if err := e.srv.Close(); err != nil {
		t.Fatalf("close server: %v", err)
	}
}

// client returns an official SDK client signing with the given access key.
func (e *env) client(key string) *chime.Client {
	opts := chime.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(e.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
		APIOptions:       []func(*middleware.Stack) error{recordOperations}, // operations_test.go
	}
	// Only when set: a nil *http.Client in the interface would be called.
	if e.httpClient != nil {
		opts.HTTPClient = e.httpClient
	}
	return chime.New(opts)
}

// runJobs advances the clock by d and runs the background jobs until
// nothing is due; a job that fails fails the test.
func (e *env) runJobs(d time.Duration) {
	e.t.Helper()
	e.clock.Advance(d)
	if err := e.srv.RunJobs(context.Background()); err != nil {
		e.t.Fatalf("background jobs: %v", err)
	}
}

// winners counts the calls of a race that succeeded, and fails unless
// every other failed with errorType.
func winners(t *testing.T, errs []error, errorType string) int {
	t.Helper()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantError(t, err, errorType)
	}
	return won
}

// wantError fails unless err is an API error of the given type (the
// x-amzn-ErrorType the SDK read, e.g. "NotFoundException").
func wantError(t *testing.T, err error, errorType string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want %s, got %v", errorType, err)
	}
	if apiErr.ErrorCode() != errorType {
		t.Fatalf("want %s, got %s: %s", errorType, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

// noErr stops the test on an unexpected error.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

var ctx = context.Background()
