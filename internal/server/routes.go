package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/wire"
)

// routes is every route the server answers. The AWS API owns every path except
// /healthz, /readyz, /metrics, /_chimed/ (this server's extensions),
// /incomingwebhooks/ (chat rooms' webhook URLs), /botreplies/ (bots'
// InboundHttpsEndpoint URLs) and /invitations/ (InviteUsers' sign-up
// links); it is routed by the
// generated operation table on the encoded path, never by a ServeMux, which
// would clean and decode it.
func (s *Server) routes(authn wire.Authenticator) http.Handler {
	svc := s.Service
	api := wire.NewHandler(svc, authn, s.interceptors()...)

	ext := http.NewServeMux()
	ext.HandleFunc("GET /healthz", health)
	ext.HandleFunc("GET /readyz", s.ready)
	if s.cfg.MetricsAddr == "" {
		ext.Handle("GET /metrics", s.metrics.Handler())
	}
	ext.Handle("POST /_chimed/accounts/{accountId}/domains", api.Signed(claimDomain(svc)))
	ext.Handle("DELETE /_chimed/accounts/{accountId}/domains/{domain}", api.Signed(releaseDomain(svc)))
	ext.Handle("GET /_chimed/audit", api.Signed(s.listAudit))
	ext.Handle("GET /_chimed/dial-outs/{transactionId}", api.Signed(getDialOut(svc)))
	ext.Handle("DELETE /_chimed/dial-outs/{transactionId}", api.Signed(hangUpDialOut(svc)))
	ext.Handle("POST /_chimed/accounts/{accountId}/rooms/{roomId}/webhooks", api.Signed(createWebhook(svc, s.cfg.PublicURL)))
	ext.Handle("GET /_chimed/accounts/{accountId}/rooms/{roomId}/webhooks", api.Signed(listWebhooks(svc, s.cfg.PublicURL)))
	ext.Handle("DELETE /_chimed/accounts/{accountId}/rooms/{roomId}/webhooks/{webhookId}", api.Signed(deleteWebhook(svc)))
	ext.Handle("GET /_chimed/accounts/{accountId}/rooms/{roomId}/messages", api.Signed(listRoomMessages(svc)))
	ext.Handle("POST /_chimed/accounts/{accountId}/conversations", api.Signed(createConversation(svc)))
	ext.Handle("POST /_chimed/accounts/{accountId}/conversations/{conversationId}/messages", api.Signed(postConversationMessage(svc)))
	ext.Handle("GET /_chimed/accounts/{accountId}/conversations/{conversationId}/messages", api.Signed(listConversationMessages(svc)))
	ext.Handle("GET /_chimed/accounts/{accountId}/bots/{botId}/deliveries", api.Signed(listBotDeliveries(svc)))
	ext.Handle("GET /_chimed/accounts/{accountId}/invitations", api.Signed(listInvitations(svc)))
	// Not signed: the webhook's token in the URL is its credential.
	ext.Handle("POST /incomingwebhooks/{webhookId}", incomingWebhook(svc))
	// Not signed either: a bot's reply URL and an invitation link carry
	// their own tokens.
	ext.Handle("POST /botreplies/{endpointId}", botReply(svc))
	ext.Handle("GET /invitations/{inviteId}", invitation(svc))
	ext.Handle("POST /invitations/{inviteId}", invitation(svc))
	// Other methods on the unsigned paths and under the token routes, and
	// /metrics when it is served on its own address, get a JSON error, as
	// the API's do, not the mux's plain-text 404 or 405.
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/incomingwebhooks/", "/botreplies/", "/invitations/"} {
		ext.HandleFunc(path, unknownUnsigned)
	}
	if s.cfg.EnableTestAPI {
		ext.Handle("POST /_chimed/test/reset", api.Signed(s.testReset))
		ext.Handle("POST /_chimed/test/snapshots", api.Signed(s.testSnapshot))
		ext.Handle("POST /_chimed/test/snapshots/{snapshotId}/restore", api.Signed(s.testRestore))
		ext.Handle("GET /_chimed/test/clock", api.Signed(s.testGetClock))
		ext.Handle("POST /_chimed/test/clock", api.Signed(s.testMoveClock))
		ext.Handle("POST /_chimed/test/faults", api.Signed(s.testAddFault))
		ext.Handle("GET /_chimed/test/faults", api.Signed(s.testListFaults))
		ext.Handle("DELETE /_chimed/test/faults", api.Signed(s.testClearFaults))
		ext.Handle("DELETE /_chimed/test/faults/{ruleId}", api.Signed(s.testDeleteFault))
	}
	unknownSigned := api.Signed(unknownExtension(s.cfg.EnableTestAPI))
	ext.Handle(unknownExtensionPattern, unknownSigned)

	return withRequestID(s.observed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := wire.RefuseURL(r); err != nil {
			wire.WriteError(w, r, err)
			return
		}
		// An empty segment (an ID left empty) matches no extension route:
		// the mux would answer a redirect to the path without it, with an
		// HTML body, before the signature is checked.
		emptySegment := strings.Contains(r.URL.Path, "//")
		switch {
		case !isExtension(r.URL.Path):
			api.ServeHTTP(w, r)
		case emptySegment && strings.HasPrefix(r.URL.Path, unknownExtensionPattern):
			unknownSigned.ServeHTTP(w, r)
		case emptySegment:
			unknownUnsigned(w, r)
		default:
			ext.ServeHTTP(w, r)
		}
	})))
}

// isExtension says whether a path is served by the extension mux rather than
// the AWS API.
func isExtension(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(path, "/_chimed/") || strings.HasPrefix(path, "/incomingwebhooks/") ||
		strings.HasPrefix(path, "/botreplies/") || strings.HasPrefix(path, "/invitations/")
}

// withRequestID gives every response an x-amzn-RequestId, as AWS does.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", chime.NewID())
		next.ServeHTTP(w, r)
	})
}

// readyTimeout is how long GET /readyz waits for the store.
const readyTimeout = 5 * time.Second

// ready answers 200 when the store answers within readyTimeout and has the
// latest migration recorded. Until the store is open, starting answers 503.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	// A load balancer's check must get its answer while it waits: a
	// database that stops answering is not ready.
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		// The reason (an address, a table name) goes to the log, not to an
		// unauthenticated caller.
		s.log.Warn("not ready", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("store unavailable\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte("ok\n"))
}
