package server

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/store/sqlstore"
	"github.com/chimed/chimed/internal/wire"
)

// auditEvent builds the audit record of a finished mutating call.
func auditEvent(r *http.Request, x *wire.Exchange, status int, requestID string, now time.Time) chime.AuditEvent {
	ev := chime.AuditEvent{
		EventId:      chime.NewID(),
		EventTime:    *model.TimeOf(now),
		RequestId:    requestID,
		AwsAccountId: x.Caller.AwsAccountID,
		PrincipalArn: x.Caller.PrincipalARN,
		AccessKeyId:  x.Caller.AccessKeyID,
		SourceIp:     sourceIP(r),
		Operation:    x.Operation,
		HttpStatus:   status,
		ErrorCode:    x.ErrorCode,
	}
	for i := 0; i+1 < len(x.Labels); i += 2 {
		if ev.Resources == nil {
			ev.Resources = map[string]string{}
		}
		ev.Resources[x.Labels[i]] = x.Labels[i+1]
	}
	if x.Input != nil {
		if b, err := json.Marshal(model.Redact(x.Input)); err == nil && string(b) != "{}" {
			ev.Request = b
		}
	}
	return ev
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// isAudited says whether a call goes into the audit trail: every
// authenticated call that can change state.
func isAudited(r *http.Request, x *wire.Exchange) bool {
	// A path or method that names no operation (a 404) changed nothing.
	return x.Operation != "" && x.Caller.AwsAccountID != "" && r.Method != http.MethodGet && r.Method != http.MethodHead
}

// listAudit: GET /_chimed/audit?start=...&end=...&operation=...&max-results=...&next-token=...
// → 200 {"Events": [...], "NextToken": "..."}, the caller's AWS account only.
func (s *Server) listAudit(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	q := r.URL.Query()
	f := chime.AuditFilter{Operation: q.Get("operation"), Limit: 100}
	// The token is signed and names the filters, as every listing's is.
	filters := []string{q.Get("start"), q.Get("end"), f.Operation}
	after, err := s.Service.PageAfter(model.String(q.Get("next-token")), caller.AwsAccountID, "audit", filters...)
	if err != nil {
		return 0, nil, err
	}
	f.After = after
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"start", &f.Start}, {"end", &f.End}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return 0, nil, chime.BadRequest("%s: %q is not an ISO 8601 time", p.name, v)
			}
			*p.dst = t
		}
	}
	if v := q.Get("max-results"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return 0, nil, chime.BadRequest("max-results: must be between 1 and 1000")
		}
		f.Limit = n
	}
	limit := f.Limit
	f.Limit++
	events, err := s.store.ListAuditEvents(r.Context(), caller.AwsAccountID, f)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Events    []chime.AuditEvent
		NextToken string `json:",omitempty"`
	}{Events: events}
	if len(events) > limit {
		out.Events = events[:limit]
		out.NextToken = *s.Service.PageToken(caller.AwsAccountID, sqlstore.AuditKey(events[limit-1]), "audit", filters...)
	}
	if out.Events == nil {
		out.Events = []chime.AuditEvent{}
	}
	return http.StatusOK, out, nil
}
