package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chimed/chimed/internal/server"
)

// The access key chimed signs Lambda invocations with in these tests.
const (
	lambdaKey    = "AKIDLAMBDA"
	lambdaSecret = "lambda-secret"
)

// testLambda speaks the Lambda Invoke API (POST
// /2015-03-31/functions/{FunctionName}/invocations) for a set of functions,
// recording the invocations.
type testLambda struct {
	srv       *httptest.Server
	functions map[string]bool
	// denied makes every invocation answer AWS's AccessDeniedException,
	// as to an operator whose role may not invoke the function.
	denied bool
	// failing makes every invocation (but a dry run) answer as a function
	// that threw: 200 with X-Amz-Function-Error.
	failing bool
	mu      sync.Mutex
	// invocations holds each call: its function, invocation type and
	// payload.
	invocations []lambdaCall
}

type lambdaCall struct {
	function, invocationType, authorization string
	payload                                 []byte
}

// operatorRole is who chimed invokes functions as, in the test Lambda's
// refusals.
const operatorRole = "arn:aws:sts::999988887777:assumed-role/chimed-invoker/i-0abc123"

// startTestLambda serves the named functions (their ARNs).
func startTestLambda(t *testing.T, functionARNs ...string) *testLambda {
	t.Helper()
	l := &testLambda{functions: map[string]bool{}}
	for _, arn := range functionARNs {
		l.functions[arn] = true
	}
	l.srv = httptest.NewServer(http.HandlerFunc(l.serve))
	t.Cleanup(l.srv.Close)
	return l
}

// configure points chimed at this Lambda API with the test's credentials.
func (l *testLambda) configure(c *server.Config) {
	c.LambdaEndpoint = l.srv.URL
	c.LambdaAccessKeyID, c.LambdaSecretAccessKey = lambdaKey, lambdaSecret
}

func (l *testLambda) serve(w http.ResponseWriter, r *http.Request) {
	const prefix, suffix = "/2015-03-31/functions/", "/invocations"
	path := r.URL.EscapedPath()
	if r.Method != http.MethodPost || !strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, suffix) {
		http.Error(w, "not the Invoke API", http.StatusNotFound)
		return
	}
	name, err := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(path, prefix), suffix))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	payload, _ := io.ReadAll(r.Body)
	call := lambdaCall{function: name, invocationType: r.Header.Get("X-Amz-Invocation-Type"), authorization: r.Header.Get("Authorization"), payload: payload}
	l.mu.Lock()
	l.invocations = append(l.invocations, call)
	l.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if l.denied {
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]string{"Message": "User: " + operatorRole + " is not authorized to perform: lambda:InvokeFunction on resource: " + name})
		return
	}
	if !l.functions[name] {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"Type": "User", "Message": "Function not found: " + name})
		return
	}
	if call.invocationType == "DryRun" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if l.failing {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.Write([]byte(`{"errorMessage":"boom","errorType":"Error"}`))
		return
	}
	w.Write([]byte(`{"ok":true}`))
}

func (l *testLambda) calls() []lambdaCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]lambdaCall(nil), l.invocations...)
}
