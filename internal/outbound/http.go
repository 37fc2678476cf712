// Package outbound is how chimed reaches outside itself: bots' HTTPS
// endpoints and Lambda functions (chime.BotTransport), and the SMTP relay
// that carries invitations (chime.Mailer).
//
// Bots' endpoints are given by API callers, so calls to them are guarded
// against server-side request forgery: https only, and no connection to a
// loopback, link-local, private or unspecified address unless the operator
// allows private endpoints. The address is checked when the connection is
// made, after DNS resolution and for every redirect, so neither a name that
// resolves to an internal address (DNS rebinding) nor a redirect reaches
// one.
package outbound

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

// MaxAnswerBytes is how much of an answer is read; the rest is dropped.
const MaxAnswerBytes = 64 << 10

// maxRedirects bounds the redirects an event follows.
const maxRedirects = 3

// Config is the outbound policy and where Lambda functions are reached.
type Config struct {
	// AllowPrivate lets bots' endpoints be http:// URLs and addresses on
	// loopback, link-local and private networks (a bot on a development
	// machine).
	AllowPrivate bool
	// RootCAs, when set, replaces the system's roots for TLS to bots'
	// endpoints and the SMTP relay.
	RootCAs *x509.CertPool
	Lambda  LambdaConfig
}

// Client implements chime.BotTransport.
type Client struct {
	allowPrivate bool
	http         *http.Client
	lambda       *lambdaInvoker
	// forbidden decides which addresses are refused; tests of the
	// mechanism replace it.
	forbidden func(netip.Addr) bool
}

var _ chime.BotTransport = (*Client)(nil)

// New returns a client applying cfg.
func New(cfg Config) *Client {
	c := &Client{allowPrivate: cfg.AllowPrivate, lambda: newLambdaInvoker(cfg.Lambda), forbidden: forbidden}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: c.control}
	c.http = &http.Client{
		Transport: &http.Transport{
			// No proxy: the address checked must be the one connected to.
			Proxy:               nil,
			DialContext:         dialer.DialContext,
			TLSClientConfig:     &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout: 10 * time.Second,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        64,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("%w: more than %d redirects", chime.ErrTargetRefused, maxRedirects)
			}
			// A 301, 302 or 303 turns the POST into a GET without the
			// event: the bot would not get it, yet answer 200.
			if req.Method != via[0].Method {
				return fmt.Errorf("%w: a %d redirect turns the POST into a %s without the event (redirect with 307 or 308)",
					chime.ErrTargetRefused, req.Response.StatusCode, req.Method)
			}
			return c.checkScheme(req.URL)
		},
	}
	return c
}

// checkScheme refuses anything but https, and http when private endpoints
// are allowed.
func (c *Client) checkScheme(u *url.URL) error {
	if u.Scheme == "https" || u.Scheme == "http" && c.allowPrivate {
		return nil
	}
	if u.Scheme == "http" {
		return fmt.Errorf("%w: %s is not https (plain http needs --allow-private-endpoints)", chime.ErrTargetRefused, u.Redacted())
	}
	return fmt.Errorf("%w: %s is not an https URL", chime.ErrTargetRefused, u.Redacted())
}

// control vets the address a connection is about to be made to: the
// resolved IP, whatever name or redirect led to it.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	if c.allowPrivate {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", chime.ErrTargetRefused, host)
	}
	if c.forbidden(ip.Unmap()) {
		return errForbiddenAddress
	}
	return nil
}

// errForbiddenAddress does not say which address the host resolved to: a
// tenant could otherwise map the internal network through chimed's DNS.
var errForbiddenAddress = fmt.Errorf("%w: the host is at a loopback, link-local, private or reserved address (allow those with --allow-private-endpoints)", chime.ErrTargetRefused)

// reserved are the ranges outside the standard library's tests that are not
// public either.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("198.18.0.0/15"),  // network benchmarks
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),   // documentation
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"), // documentation
	netip.MustParsePrefix("100::/64"),      // discard-only
	netip.MustParsePrefix("fec0::/10"),     // site-local, deprecated but still routed by some networks
	netip.MustParsePrefix("::/96"),         // IPv4-compatible, deprecated
}

// Gateways forward these IPv6 forms to the IPv4 address inside them.
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")    // the IPv4 address in the last 4 bytes
	translated = netip.MustParsePrefix("::ffff:0:0:0/96") // SIIT (RFC 2765): the same
	sixToFour  = netip.MustParsePrefix("2002::/16")       // the IPv4 address in bytes 2 to 5
)

func forbidden(ip netip.Addr) bool {
	b := ip.As16()
	switch {
	case nat64.Contains(ip), translated.Contains(ip):
		return forbidden(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(ip):
		return forbidden(netip.AddrFrom4([4]byte(b[2:6])))
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return true
		}
	}
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() ||
		ip.Is4() && ip.As4()[0] == 0
}

// Post sends body to rawURL and reads up to MaxAnswerBytes of the answer.
func (c *Client) Post(ctx context.Context, rawURL string, headers map[string]string, body []byte) (*chime.TargetAnswer, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", chime.ErrTargetRefused, err)
	}
	if err := c.checkScheme(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", chime.ErrTargetRefused, err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "chimed")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerBytes))
	if err != nil {
		return nil, err
	}
	return &chime.TargetAnswer{Status: resp.StatusCode, Body: answer, RetryAfter: retryAfter(resp)}, nil
}

// retryAfter is the wait a 429 or 503 asks for in its Retry-After header,
// in seconds or as an HTTP date; 0 when there is none, or none that parses.
func retryAfter(resp *http.Response) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	v := resp.Header.Get("Retry-After")
	if seconds, err := strconv.ParseInt(v, 10, 32); err == nil {
		return time.Duration(max(seconds, 0)) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		// Rounded up to whole seconds, as the attempt records it: the
		// target is not called back before the time it gave.
		return max(time.Duration(math.Ceil(time.Until(at).Seconds()))*time.Second, 0)
	}
	return 0
}

// unwrapURLError drops the *url.Error around a failure, whose message
// repeats the method and the URL (with the bot's path) before the cause, and
// keeps what only this server's network knows out of the message a tenant
// reads: the address a host resolved to, the resolver's, and chimed's own.
func unwrapURLError(err error) error {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, errForbiddenAddress):
		return errForbiddenAddress // without the dial's "dial tcp <address>:"
	case errors.As(err, &dnsErr):
		return fmt.Errorf("cannot resolve %s", dnsErr.Name)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		// "read tcp <chimed's address>-><the target's address>: ..."
		// without the addresses: "read: connection reset by peer".
		return opErr.Err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
