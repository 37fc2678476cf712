package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/internal/server"
)

// signing says how a test request is signed, and how it is then altered.
type signing struct {
	key, secret string
	at          time.Time // signing time
	unsigned    bool      // no Authorization header at all
	sendBody    []byte    // when set, sent instead of the signed body
}

// signedRequest sends method path with body, signed as the Go SDK signs.
func (e *env) signedRequest(t *testing.T, method, path string, body []byte, s signing) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if !s.unsigned {
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: s.key, SecretAccessKey: s.secret}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "chime", "us-east-1", s.at); err != nil {
			t.Fatal(err)
		}
	}
	if s.sendBody != nil {
		req.Body = io.NopCloser(bytes.NewReader(s.sendBody))
		req.ContentLength = int64(len(s.sendBody))
	}
	return doRequest(t, req)
}

// presignedURL presigns a GET of path for keyA, signed at the given time and
// valid for expires seconds.
func (e *env) presignedURL(t *testing.T, path string, at time.Time, expires string) string {
	t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	q.Set("X-Amz-Expires", expires)
	req.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: keyA, SecretAccessKey: secret}
	url, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "chime", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// doRequest sends req and reads the whole reply. Every reply, refusals
// included, must carry a request ID.
func doRequest(t *testing.T, req *http.Request) rawResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("%s %s: no x-amzn-RequestId", req.Method, req.URL.Path)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

// TestAuthRefusals sends requests that must all be refused with 403 and the
// AWS error type for the failure, and checks none of them changed anything.
func TestAuthRefusals(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "kept")
	id := aws.ToString(acct.AccountId)
	now := time.Now()
	good := signing{key: keyA, secret: secret, at: now}
	create := []byte(`{"Name": "intruder"}`)

	tests := []struct {
		name         string
		method, path string
		body         []byte
		signing      signing
		wantType     string
		wantMessage  string
	}{
		{"unsigned", "POST", "/accounts", create, signing{unsigned: true}, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"unknown access key", "POST", "/accounts", create, signing{key: "AKIDUNKNOWN", secret: secret, at: now}, "UnrecognizedClientException", ""},
		{"wrong secret", "POST", "/accounts", create, signing{key: keyA, secret: "not-the-secret", at: now}, "InvalidSignatureException", ""},
		{"tampered body", "POST", "/accounts", []byte(`{"Name": "harmless"}`),
			signing{key: keyA, secret: secret, at: now, sendBody: create}, "InvalidSignatureException", ""},
		{"stale", "POST", "/accounts", create, signing{key: keyA, secret: secret, at: now.Add(-16 * time.Minute)}, "InvalidSignatureException", "Signature expired"},
		{"from the future", "POST", "/accounts", create, signing{key: keyA, secret: secret, at: now.Add(16 * time.Minute)}, "InvalidSignatureException", "Signature expired"},
		{"delete, wrong secret", "DELETE", "/accounts/" + id, nil, signing{key: keyA, secret: "not-the-secret", at: now}, "InvalidSignatureException", ""},
		{"rename, tampered body", "POST", "/accounts/" + id, []byte(`{"Name": "kept"}`),
			func() signing { s := good; s.sendBody = []byte(`{"Name": "pwned"}`); return s }(), "InvalidSignatureException", ""},
		{"extension, unsigned", "POST", "/_chimed/accounts/" + id + "/domains", []byte(`{"Domain": "evil.example.com", "AccountType": "EnterpriseLWA"}`),
			signing{unsigned: true}, "MissingAuthenticationTokenException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.signedRequest(t, tt.method, tt.path, tt.body, tt.signing)
			if r.status != http.StatusForbidden || r.errorType() != tt.wantType {
				t.Fatalf("got %v, want 403 %s", r, tt.wantType)
			}
			var b struct{ Code, Message string }
			if err := json.Unmarshal(r.body, &b); err != nil || b.Message == "" {
				t.Errorf("error body %q is not {Code, Message}", r.body)
			}
			if !strings.Contains(b.Message, tt.wantMessage) {
				t.Errorf("message %q does not say %q", b.Message, tt.wantMessage)
			}
		})
	}

	// Nothing changed.
	list, err := c.ListAccounts(ctx, &chime.ListAccountsInput{})
	noErr(t, err)
	if len(list.Accounts) != 1 {
		t.Fatalf("%d accounts after refused requests: %q", len(list.Accounts), accountNames(list.Accounts))
	}
	got := list.Accounts[0]
	if aws.ToString(got.Name) != "kept" || got.AccountStatus != types.AccountStatusActive || got.AccountType != types.AccountTypeTeam {
		t.Errorf("account after refused requests: %s, %s, %s", aws.ToString(got.Name), got.AccountStatus, got.AccountType)
	}
	// The same request, correctly signed, is accepted.
	wantStatus(t, e.signedRequest(t, "POST", "/accounts", create, signing{key: keyA, secret: secret, at: time.Now()}), 201)
}

// TestAuthThroughSDK checks the SDK surfaces a refusal as the AWS exception.
func TestAuthThroughSDK(t *testing.T) {
	e := start(t)
	wrongSecret := func(o *chime.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(keyA, "not-the-secret", "")
	}
	_, err := e.client(keyA).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("x")}, wrongSecret)
	wantError(t, err, "InvalidSignatureException")
	_, err = e.client("AKIDUNKNOWN").ListAccounts(ctx, &chime.ListAccountsInput{})
	wantError(t, err, "UnrecognizedClientException")
	list, err := e.client(keyA).ListAccounts(ctx, &chime.ListAccountsInput{})
	noErr(t, err)
	if len(list.Accounts) != 0 {
		t.Errorf("refused CreateAccount created %q", accountNames(list.Accounts))
	}
}

func TestPresignedURL(t *testing.T) {
	e := start(t)
	acct := createTeamAccount(t, e.client(keyA), "presigned")
	createTeamAccount(t, e.client(keyB), "another tenant")

	get := func(url string) rawResponse {
		t.Helper()
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			t.Fatal(err)
		}
		return doRequest(t, req)
	}

	r := get(e.presignedURL(t, "/accounts", time.Now(), "60"))
	wantStatus(t, r, 200)
	var out struct{ Accounts []struct{ AccountId string } }
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Accounts) != 1 || out.Accounts[0].AccountId != aws.ToString(acct.AccountId) {
		t.Errorf("presigned ListAccounts answered %s", r.body)
	}

	tests := []struct {
		name, url string
	}{
		{"expired", e.presignedURL(t, "/accounts", time.Now().Add(-2*time.Minute), "60")},
		{"query added after signing", e.presignedURL(t, "/accounts", time.Now(), "60") + "&max-results=1"},
		{"path changed after signing", strings.Replace(e.presignedURL(t, "/accounts", time.Now(), "60"), "/accounts?", "/accounts/"+aws.ToString(acct.AccountId)+"?", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(tt.url)
			if r.status != http.StatusForbidden || r.errorType() != "InvalidSignatureException" {
				t.Errorf("got %v, want 403 InvalidSignatureException", r)
			}
		})
	}
}

func TestHealthzIsUnsigned(t *testing.T) {
	e := start(t)
	resp, err := http.Get(e.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /healthz: %d", resp.StatusCode)
	}
}

// A caller without a key is refused before its body is read: the server
// buffers no unauthenticated megabyte (150 such connections took it to
// 327 MB). The requests below announce a body and send none; an answer
// that waited for it would come only at the 30 s read timeout.
func TestRefusedBeforeTheBodyIsRead(t *testing.T) {
	e := start(t)
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	for _, tc := range []struct {
		name, authorization, errorType string
	}{
		{"unsigned", "", "MissingAuthenticationTokenException"},
		{"unknown key", "AWS4-HMAC-SHA256 Credential=AKIDNOSUCHKEY/" + time.Now().UTC().Format("20060102") +
			"/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64), "UnrecognizedClientException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			noErr(t, err)
			defer conn.Close()
			head := "POST /accounts HTTP/1.1\r\nHost: " + addr + "\r\nX-Amz-Date: " + time.Now().UTC().Format("20060102T150405Z") +
				"\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n"
			if tc.authorization != "" {
				head += "Authorization: " + tc.authorization + "\r\n"
			}
			_, err = io.WriteString(conn, head+"\r\n")
			noErr(t, err)
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer before the body: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || resp.Header.Get("x-amzn-ErrorType") != tc.errorType {
				t.Fatalf("got %d %s, want 403 %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), tc.errorType)
			}
		})
	}
}

// TestTemporaryCredentials checks a credentials file's temporary keys with a
// real SDK: one in its time works with its token, one past its Expiration is
// refused as expired.
func TestTemporaryCredentials(t *testing.T) {
	e := start(t, func(c *server.Config) {
		c.Credentials = filepath.Join(t.TempDir(), "temporary.json")
		writeJSON(t, c.Credentials, map[string]any{"Credentials": []map[string]string{
			{"AccessKeyId": "ASIAVALID", "SecretAccessKey": secret, "AwsAccountId": accountA, "SessionToken": "valid-token",
				"PrincipalArn": "arn:aws:sts::" + accountA + ":assumed-role/Admin/alice", "Expiration": time.Now().Add(time.Hour).Format(time.RFC3339)},
			{"AccessKeyId": "ASIAEXPIRED", "SecretAccessKey": secret, "AwsAccountId": accountA, "SessionToken": "old-token",
				"Expiration": time.Now().Add(-time.Second).Format(time.RFC3339)},
		}})
	})
	withToken := func(key, token string) func(*chime.Options) {
		return func(o *chime.Options) { o.Credentials = credentials.NewStaticCredentialsProvider(key, secret, token) }
	}
	_, err := e.client("ASIAVALID").CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("temporary")}, withToken("ASIAVALID", "valid-token"))
	noErr(t, err)
	_, err = e.client("ASIAEXPIRED").ListAccounts(ctx, &chime.ListAccountsInput{}, withToken("ASIAEXPIRED", "old-token"))
	wantError(t, err, "ExpiredTokenException")
}
