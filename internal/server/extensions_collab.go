package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/wire"
)

// Chat messages reach rooms through incoming webhooks and conversations
// through their members: neither is part of the administration API, so
// these /_chimed/ endpoints stand in for them. Each webhook's own URL,
// /incomingwebhooks/{webhookId}?token=..., is not signed: as in Chime, its
// secret token is its credential.

type webhookOut struct {
	WebhookId        string      `json:"WebhookId"`
	RoomId           string      `json:"RoomId"`
	Name             string      `json:"Name"`
	Url              string      `json:"Url"`
	CreatedTimestamp *model.Time `json:"CreatedTimestamp"`
}

// webhookURL is the webhook's URL on this server: under publicURL
// (--public-url) when it is set, as a proxy in front of chimed may change
// the scheme and host; else as the caller reached it.
func webhookURL(r *http.Request, publicURL string, w *chime.Webhook) string {
	base := strings.TrimSuffix(publicURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/incomingwebhooks/" + url.PathEscape(w.WebhookID) + "?token=" + url.QueryEscape(w.Token)
}

func toWebhookOut(r *http.Request, publicURL string, w *chime.Webhook) webhookOut {
	return webhookOut{
		WebhookId:        w.WebhookID,
		RoomId:           w.RoomID,
		Name:             w.Name,
		Url:              webhookURL(r, publicURL, w),
		CreatedTimestamp: model.TimeOf(w.CreatedAt),
	}
}

// createWebhook: POST /_chimed/accounts/{accountId}/rooms/{roomId}/webhooks
// {"Name": "..."} → 201 {"Webhook": {...}}
func createWebhook(svc *chime.Service, publicURL string) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		var in struct{ Name *string }
		if err := wire.DecodeJSON(body, &in); err != nil {
			return 0, nil, err
		}
		w, err := svc.CreateWebhook(r.Context(), caller, r.PathValue("accountId"), r.PathValue("roomId"), in.Name)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, struct{ Webhook webhookOut }{toWebhookOut(r, publicURL, w)}, nil
	}
}

// listWebhooks: GET /_chimed/accounts/{accountId}/rooms/{roomId}/webhooks
// → 200 {"Webhooks": [...]}
func listWebhooks(svc *chime.Service, publicURL string) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		found, err := svc.ListWebhooks(r.Context(), caller, r.PathValue("accountId"), r.PathValue("roomId"))
		if err != nil {
			return 0, nil, err
		}
		out := struct{ Webhooks []webhookOut }{Webhooks: []webhookOut{}}
		for _, w := range found {
			out.Webhooks = append(out.Webhooks, toWebhookOut(r, publicURL, w))
		}
		return http.StatusOK, out, nil
	}
}

// deleteWebhook: DELETE /_chimed/accounts/{accountId}/rooms/{roomId}/webhooks/{webhookId} → 204
func deleteWebhook(svc *chime.Service) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		err := svc.DeleteWebhook(r.Context(), caller, r.PathValue("accountId"), r.PathValue("roomId"), r.PathValue("webhookId"))
		return http.StatusNoContent, nil, err
	}
}

// maxWebhookBody bounds what an incoming webhook reads: a message of
// chime.MaxMessageBytes, JSON-escaped, with room to spare.
const maxWebhookBody = 64 << 10

// incomingWebhook: POST /incomingwebhooks/{webhookId}?token=... {"Content": "..."}
// → 200 {"MessageId": "...", "RoomId": "..."}; a wrong token → 403.
func incomingWebhook(svc *chime.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := postToWebhook(svc, r)
		if err != nil {
			wire.WriteError(w, r, err)
			return
		}
		wire.WriteResult(w, http.StatusOK, struct{ MessageId, RoomId string }{m.MessageID, m.ParentID})
	})
}

func postToWebhook(svc *chime.Service, r *http.Request) (*chime.Message, error) {
	body, err := wire.ReadBody(r, maxWebhookBody)
	if err != nil {
		return nil, err
	}
	var in struct{ Content *string }
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	m, holder, err := svc.PostWebhookMessage(r.Context(), r.PathValue("webhookId"), r.URL.Query().Get("token"), in.Content)
	wire.SetCaller(r, holder)
	return m, err
}

type conversationOut struct {
	ConversationId   string      `json:"ConversationId"`
	AccountId        string      `json:"AccountId"`
	MemberIds        []string    `json:"MemberIds"`
	CreatedTimestamp *model.Time `json:"CreatedTimestamp"`
}

// createConversation: POST /_chimed/accounts/{accountId}/conversations
// {"MemberIds": [...]} → 201 {"Conversation": {...}}
func createConversation(svc *chime.Service) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		var in struct{ MemberIds []string }
		if err := wire.DecodeJSON(body, &in); err != nil {
			return 0, nil, err
		}
		c, err := svc.CreateConversation(r.Context(), caller, r.PathValue("accountId"), in.MemberIds)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, struct{ Conversation conversationOut }{conversationOut{
			ConversationId:   c.ConversationID,
			AccountId:        c.AccountID,
			MemberIds:        c.MemberIDs,
			CreatedTimestamp: model.TimeOf(c.CreatedAt),
		}}, nil
	}
}

// postConversationMessage: POST /_chimed/accounts/{accountId}/conversations/{conversationId}/messages
// {"SenderId": "...", "Content": "..."} → 200 {"MessageId": "..."}
func postConversationMessage(svc *chime.Service) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		var in struct{ SenderId, Content *string }
		if err := wire.DecodeJSON(body, &in); err != nil {
			return 0, nil, err
		}
		if in.SenderId == nil {
			return 0, nil, chime.BadRequest("SenderId: required member is missing")
		}
		m, err := svc.PostConversationMessage(r.Context(), caller, r.PathValue("accountId"), r.PathValue("conversationId"), *in.SenderId, in.Content)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, struct{ MessageId string }{m.MessageID}, nil
	}
}

type senderOut struct {
	SenderId   string  `json:"SenderId"`
	SenderType string  `json:"SenderType"`
	Name       *string `json:"Name,omitempty"`
}

type messageOut struct {
	MessageId        string      `json:"MessageId"`
	Content          *string     `json:"Content,omitempty"`
	Sender           senderOut   `json:"Sender"`
	CreatedTimestamp *model.Time `json:"CreatedTimestamp"`
	Redacted         bool        `json:"Redacted"`
}

// listRoomMessages: GET /_chimed/accounts/{accountId}/rooms/{roomId}/messages?max-results=&next-token=
// listConversationMessages: GET /_chimed/accounts/{accountId}/conversations/{conversationId}/messages?...
// → 200 {"Messages": [...], "NextToken": "..."}, oldest first.
func listRoomMessages(svc *chime.Service) wire.SignedFunc {
	return listed("Messages", func(r *http.Request, caller chime.Caller, maxResults *int32, token *string) (*chime.ListPage[chime.Message], error) {
		return svc.ListRoomMessages(r.Context(), caller, r.PathValue("accountId"), r.PathValue("roomId"), maxResults, token)
	}, toMessageOut)
}

func listConversationMessages(svc *chime.Service) wire.SignedFunc {
	return listed("Messages", func(r *http.Request, caller chime.Caller, maxResults *int32, token *string) (*chime.ListPage[chime.Message], error) {
		return svc.ListConversationMessages(r.Context(), caller, r.PathValue("accountId"), r.PathValue("conversationId"), maxResults, token)
	}, toMessageOut)
}

// listed serves an extension listing: it reads max-results and next-token
// from the query, gets the page from list, and answers {member: [each
// record through convert], "NextToken": ...}.
func listed[T, Out any](member string, list func(r *http.Request, caller chime.Caller, maxResults *int32, token *string) (*chime.ListPage[T], error), convert func(*T) Out) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		maxResults, token, err := pageQuery(r.URL.Query())
		if err != nil {
			return 0, nil, err
		}
		page, err := list(r, caller, maxResults, token)
		if err != nil {
			return 0, nil, err
		}
		items := make([]Out, 0, len(page.Items))
		for _, item := range page.Items {
			items = append(items, convert(item))
		}
		out := map[string]any{member: items}
		if page.NextToken != nil {
			out["NextToken"] = *page.NextToken
		}
		return http.StatusOK, out, nil
	}
}

// pageQuery reads an extension list's max-results and next-token query
// parameters; the service checks their values as it does the API's.
func pageQuery(query url.Values) (maxResults *int32, token *string, err error) {
	if v := query.Get("max-results"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return nil, nil, chime.BadRequest("max-results: must be a whole number between 1 and %d, got %q", chime.MaxExtensionPage, v)
		}
		maxResults = model.Int32(int32(n))
	}
	if query.Has("next-token") {
		token = model.String(query.Get("next-token"))
	}
	return maxResults, token, nil
}

func toMessageOut(m *chime.Message) messageOut {
	out := messageOut{
		MessageId:        m.MessageID,
		Sender:           senderOut{SenderId: m.Sender.SenderID, SenderType: m.Sender.SenderType},
		CreatedTimestamp: model.TimeOf(m.CreatedAt),
		Redacted:         m.Redacted,
	}
	if !m.Redacted {
		out.Content = &m.Content
	}
	if m.Sender.Name != "" {
		out.Sender.Name = &m.Sender.Name
	}
	return out
}
