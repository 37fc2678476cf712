package server

import (
	"html/template"
	"net"
	"net/http"
	"net/url"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/outbound"
	"github.com/chimed/chimed/internal/wire"
)

// integrations is how the service reaches bots and the SMTP relay.
func (s *Server) integrations() (chime.Integrations, error) {
	cfg := s.cfg
	out := chime.Integrations{
		Bots: outbound.New(outbound.Config{
			AllowPrivate: cfg.AllowPrivateEndpoints,
			RootCAs:      cfg.OutboundRootCAs,
			Lambda: outbound.LambdaConfig{
				Endpoint:        cfg.LambdaEndpoint,
				AccessKeyID:     cfg.LambdaAccessKeyID,
				SecretAccessKey: cfg.LambdaSecretAccessKey,
			},
		}),
		PublicURL: cfg.PublicURL,
	}
	if out.PublicURL == "" {
		out.PublicURL = s.defaultPublicURL()
	}
	if cfg.SMTPAddr != "" {
		mailer, err := outbound.NewMailer(outbound.MailConfig{
			Addr:     cfg.SMTPAddr,
			Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword,
			StartTLS: cfg.SMTPStartTLS,
			From:     cfg.SMTPFrom,
			RootCAs:  cfg.OutboundRootCAs,
		})
		if err != nil {
			return out, err
		}
		out.Mailer = mailer
	}
	return out, nil
}

// defaultPublicURL is the listening URL, unless chimed listens on every
// address (0.0.0.0, [::]), which is no address a link can point at: then
// localhost, with a warning to set --public-url.
func (s *Server) defaultPublicURL() string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return s.URL
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsUnspecified() {
		return s.URL
	}
	u.Host = net.JoinHostPort("localhost", u.Port())
	s.log.Warn("chimed listens on every address: bot reply URLs and invitation links point at "+u.String()+"; set --public-url to the URL they reach this server at", "addr", s.cfg.Addr)
	return u.String()
}

// maxReplyBody bounds what a bot's reply reads, as for incoming webhooks.
const maxReplyBody = maxWebhookBody

// botReply: POST /botreplies/{endpointId}?token=... {"Content": "..."} → 200
// {"MessageId": "...", "RoomId": "..."}. Not signed: the URL, handed to the
// bot in an event's InboundHttpsEndpoint, is the credential.
func botReply(svc *chime.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := wire.ReadBody(r, maxReplyBody)
		var in struct{ Content *string }
		if err == nil {
			err = wire.DecodeJSON(body, &in)
		}
		var m *chime.Message
		if err == nil {
			var holder chime.Caller
			m, holder, err = svc.PostBotReply(r.Context(), r.PathValue("endpointId"), r.URL.Query().Get("token"), in.Content)
			wire.SetCaller(r, holder)
		}
		if err != nil {
			wire.WriteError(w, r, err)
			return
		}
		wire.WriteResult(w, http.StatusOK, struct{ MessageId, RoomId string }{m.MessageID, m.ParentID})
	})
}

type attemptOut struct {
	Timestamp  *model.Time `json:"Timestamp"`
	Target     string      `json:"Target,omitempty"`
	Outcome    string      `json:"Outcome"`
	StatusCode int         `json:"StatusCode,omitempty"`
	Error      string      `json:"Error,omitempty"`
	Millis     int64       `json:"DurationMillis"`
	// RetryAfterSeconds is the wait the target asked for (Retry-After).
	RetryAfterSeconds int64 `json:"RetryAfterSeconds,omitempty"`
}

type deliveryOut struct {
	EventId           string       `json:"EventId"`
	EventType         string       `json:"EventType"`
	RoomId            string       `json:"RoomId"`
	Status            string       `json:"Status"`
	CreatedTimestamp  *model.Time  `json:"CreatedTimestamp"`
	NextAttempt       *model.Time  `json:"NextAttemptTimestamp,omitempty"`
	FinishedTimestamp *model.Time  `json:"FinishedTimestamp,omitempty"`
	Attempts          []attemptOut `json:"Attempts"`
}

// listBotDeliveries: GET /_chimed/accounts/{accountId}/bots/{botId}/deliveries?max-results=&next-token=
// → 200 {"Deliveries": [...], "NextToken": "..."}, oldest event first.
func listBotDeliveries(svc *chime.Service) wire.SignedFunc {
	return listed("Deliveries", func(r *http.Request, caller chime.Caller, maxResults *int32, token *string) (*chime.ListPage[chime.BotEvent], error) {
		return svc.ListBotDeliveries(r.Context(), caller, r.PathValue("accountId"), r.PathValue("botId"), maxResults, token)
	}, toDeliveryOut)
}

func toDeliveryOut(ev *chime.BotEvent) deliveryOut {
	d := deliveryOut{
		EventId:          ev.EventID,
		EventType:        ev.EventType,
		RoomId:           ev.RoomID,
		Status:           ev.Status,
		CreatedTimestamp: model.TimeOf(ev.CreatedAt),
		Attempts:         make([]attemptOut, 0, len(ev.Attempts)),
	}
	if ev.Status == chime.BotEventPending {
		d.NextAttempt = model.TimeOf(ev.DueAt)
	}
	if ev.FinishedAt != nil {
		d.FinishedTimestamp = model.TimeOf(*ev.FinishedAt)
	}
	for _, a := range ev.Attempts {
		d.Attempts = append(d.Attempts, attemptOut{
			Timestamp: model.TimeOf(a.At), Target: a.Target, Outcome: a.Outcome, StatusCode: a.StatusCode, Error: a.Error, Millis: a.Millis, RetryAfterSeconds: a.RetryAfterSeconds,
		})
	}
	return d
}

// invitationPage is what an invitation link shows: GET asks, POST accepts.
// A link opened by a mail scanner's prefetch accepts nothing.
var invitationPage = template.Must(template.New("invitation").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Amazon Chime invitation</title></head>
<body>
{{if .Accepted}}<p>Welcome: {{.Email}} is now a registered member of {{.Account}}.</p>
{{else}}<p>{{.Email}} is invited to join {{.Account}} on Amazon Chime.</p>
<form method="post"><button type="submit">Accept the invitation</button></form>
{{end}}</body></html>
`))

// invitation: GET /invitations/{inviteId}?token=... shows the invitation;
// POST to the same URL accepts it (the user becomes Registered, the
// invitation Accepted). Not signed: the link's token is the credential.
func invitation(svc *chime.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, token := r.PathValue("inviteId"), r.URL.Query().Get("token")
		var inv *chime.Invitation
		var err error
		if r.Method == http.MethodPost {
			var holder chime.Caller
			inv, holder, err = svc.AcceptInvitation(r.Context(), id, token)
			wire.SetCaller(r, holder)
		} else {
			inv, err = svc.GetInvitation(r.Context(), id, token)
		}
		if err != nil {
			wire.WriteError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		// The page's form accepts the invitation: no other site may frame
		// it and trick a click.
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		invitationPage.Execute(w, map[string]any{
			"Accepted": inv.Invite.Status == model.InviteStatusAccepted,
			"Email":    inv.Invite.Email,
			"Account":  inv.AccountName,
		})
	})
}

// invitationOut is an invitation as the outbox lists it: InviteUsers'
// fields, with the link its email carries.
type invitationOut struct {
	InviteId         string      `json:"InviteId"`
	UserId           string      `json:"UserId"`
	EmailAddress     string      `json:"EmailAddress"`
	Status           string      `json:"Status"`
	EmailStatus      string      `json:"EmailStatus"`
	InvitationUrl    string      `json:"InvitationUrl,omitempty"`
	CreatedTimestamp *model.Time `json:"CreatedTimestamp"`
}

// listInvitations: GET /_chimed/accounts/{accountId}/invitations?max-results=&next-token=
// → 200 {"Invitations": [...], "NextToken": "..."}, in invite ID order. It is
// the account's outbox: how a test, or a server without an SMTP relay,
// reaches the link an invitee would click.
func listInvitations(svc *chime.Service) wire.SignedFunc {
	return listed("Invitations", func(r *http.Request, caller chime.Caller, maxResults *int32, token *string) (*chime.ListPage[chime.Invite], error) {
		return svc.ListInvitations(r.Context(), caller, r.PathValue("accountId"), maxResults, token)
	}, func(inv *chime.Invite) invitationOut {
		return invitationOut{
			InviteId:         inv.InviteID,
			UserId:           inv.UserID,
			EmailAddress:     inv.Email,
			Status:           inv.Status,
			EmailStatus:      inv.EmailStatus,
			InvitationUrl:    svc.InvitationURL(inv),
			CreatedTimestamp: model.TimeOf(inv.CreatedAt),
		}
	})
}
