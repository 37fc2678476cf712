package server

import (
	"net/http"
	"strings"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/wire"
)

// The /_chimed/ endpoints stand in for what Chime did in its console, outside
// the API. They are signed like API calls and answer in the API's format.

// claimDomain: POST /_chimed/accounts/{accountId}/domains
// {"Domain": "example.com", "AccountType": "EnterpriseLWA"} → 201 {"Account": {...}}
func claimDomain(svc *chime.Service) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		var in struct {
			Domain      *string
			AccountType *string
		}
		if err := wire.DecodeJSON(body, &in); err != nil {
			return 0, nil, err
		}
		if in.Domain == nil {
			return 0, nil, chime.BadRequest("Domain: required member is missing")
		}
		if in.AccountType == nil {
			return 0, nil, chime.BadRequest("AccountType: required member is missing")
		}
		a, err := svc.ClaimDomain(r.Context(), caller, r.PathValue("accountId"), *in.Domain, *in.AccountType)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, struct{ Account *model.Account }{a}, nil
	}
}

// releaseDomain: DELETE /_chimed/accounts/{accountId}/domains/{domain} → 204
func releaseDomain(svc *chime.Service) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		err := svc.ReleaseDomain(r.Context(), caller, r.PathValue("accountId"), r.PathValue("domain"))
		return http.StatusNoContent, nil, err
	}
}

// unknownExtensionPattern routes the /_chimed/ paths no extension has.
const unknownExtensionPattern = "/_chimed/"

// testAPIPrefix starts the paths of the test API (--enable-test-api).
const testAPIPrefix = "/_chimed/test/"

// unknownExtension answers the /_chimed/ paths no extension has; without
// --enable-test-api, the test API's paths say that is why.
func unknownExtension(testAPI bool) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		if !testAPI && strings.HasPrefix(r.URL.Path, testAPIPrefix) {
			return 0, nil, chime.NotFound("no extension endpoint %s %s: the test API is served only with --enable-test-api", r.Method, r.URL.Path)
		}
		return 0, nil, chime.NotFound("no extension endpoint %s %s", r.Method, r.URL.Path)
	}
}

// unknownUnsigned answers a method or path that no unsigned route (webhook,
// bot reply, invitation link) serves.
func unknownUnsigned(w http.ResponseWriter, r *http.Request) {
	wire.WriteError(w, r, chime.NotFound("no endpoint %s %s", r.Method, r.URL.Path))
}
