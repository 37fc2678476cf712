package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// region is the region requests are signed for; chimed accepts any.
const region = "us-east-1"

// request is one API call, as it goes on the wire.
type request struct {
	method string
	// target is the escaped path and query string.
	target string
	body   []byte
	// want is the status of a success.
	want int
}

// client sends SigV4-signed requests on keep-alive connections. It signs
// with the AWS SDK's own signer, which is what the SDK client runs per
// request too, without the SDK's middleware stack and response decoding,
// which nearly double the client's CPU per call (see BenchmarkClient*): CPU
// that the server, sharing the machine, would then not get.
type client struct {
	http   *http.Client
	signer *v4.Signer
	creds  aws.Credentials
}

func newClient(f Fixture, conns int) *client {
	transport := &http.Transport{
		// Room for both servers' connections: the rounds switch between
		// chimed and the baseline, and a switch must not make the client
		// dial again inside the measurement.
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &client{
		// A server that stops answering fails the run instead of hanging it.
		http:   &http.Client{Transport: transport, Timeout: 30 * time.Second},
		signer: v4.NewSigner(),
		creds:  aws.Credentials{AccessKeyID: f.AccessKeyID, SecretAccessKey: f.SecretKey},
	}
}

// answer is what a request got back.
type answer struct {
	status int
	body   []byte
	// took is the time from sending the signed request to having read the
	// whole answer: the server's latency as a client sees it, without the
	// client's own signing.
	took time.Duration
}

// do signs and sends r to base (scheme://host:port) and reads the whole
// answer into buf, which the answer's body shares.
func (c *client) do(ctx context.Context, base string, r request, buf *bytes.Buffer) (answer, error) {
	var body io.Reader = http.NoBody
	if len(r.body) > 0 {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, base+r.target, body)
	if err != nil {
		return answer{}, err
	}
	if len(r.body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(r.body)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "chime", region, time.Now()); err != nil {
		return answer{}, fmt.Errorf("sign: %w", err)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, body: buf.Bytes(), took: time.Since(start)}, nil
}

// expect is do, with an answer of another status than r.want as an error.
func (c *client) expect(ctx context.Context, base string, r request, buf *bytes.Buffer) (answer, error) {
	a, err := c.do(ctx, base, r, buf)
	if err == nil && a.status != r.want {
		err = fmt.Errorf("%s %s: status %d, want %d: %.300s", r.method, r.target, a.status, r.want, a.body)
	}
	return a, err
}

// close drops the idle connections, so that the next target starts from
// fresh ones.
func (c *client) close() { c.http.CloseIdleConnections() }
