package server

import (
	"net/http"
	"strings"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/wire"
)

// routes is every route the server answers. The AWS API owns every path except
// /healthz and /_chimed/ (this server's extensions); it is routed by the
// generated operation table on the encoded path, never by a ServeMux, which
// would clean and decode it.
func routes(svc *chime.Service, authn wire.Authenticator) http.Handler {
	api := wire.NewHandler(svc, authn)

	ext := http.NewServeMux()
	ext.HandleFunc("GET /healthz", health)
	ext.Handle("POST /_chimed/accounts/{accountId}/domains", api.Signed(claimDomain(svc)))
	ext.Handle("DELETE /_chimed/accounts/{accountId}/domains/{domain}", api.Signed(releaseDomain(svc)))
	ext.Handle("/_chimed/", api.Signed(unknownExtension))

	return withRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/_chimed/") {
			ext.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	}))
}

// withRequestID gives every response an x-amzn-RequestId, as AWS does.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", chime.NewID())
		next.ServeHTTP(w, r)
	})
}

func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte("ok\n"))
}
