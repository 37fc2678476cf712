package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/server"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certPath, keyPath string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	noErr(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "chimed test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	noErr(t, err)
	cert, err := x509.ParseCertificate(der)
	noErr(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	noErr(t, err)
	dir := t.TempDir()
	certPath, keyPath = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	noErr(t, os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	noErr(t, os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

// startTLS runs a server with --tls-cert and --tls-key, and has the test's
// clients trust its certificate.
func startTLS(t *testing.T) *env {
	t.Helper()
	certPath, keyPath, pool := selfSigned(t)
	e := start(t, func(c *server.Config) { c.TLSCert, c.TLSKey = certPath, keyPath })
	e.httpClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return e
}

func TestServesHTTPSWithTLSFlags(t *testing.T) {
	e := startTLS(t)
	if !strings.HasPrefix(e.srv.URL, "https://") {
		t.Fatalf("URL %s", e.srv.URL)
	}
	_, err := e.client(keyA).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("over tls")})
	noErr(t, err)
}

// Without --public-url, a webhook's Url is as the caller reached the
// server: over HTTPS, an https:// URL, which the webhook's sender can post to.
func TestWebhookURLOverHTTPS(t *testing.T) {
	e := startTLS(t)
	acct := collabAccount(t, e, keyA, "example.com")
	hook := createWebhook(t, e, keyA, acct, collabRoom(t, e, keyA, acct, "alerts"), "deploys")
	if want := e.srv.URL + "/incomingwebhooks/" + hook.WebhookId + "?token="; !strings.HasPrefix(hook.Url, want) {
		t.Fatalf("Url %s, want it under %s", hook.Url, want)
	}
	postToRoom(t, e, hook, "deployed")
}
