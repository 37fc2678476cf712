package server

import (
	"net/http"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/wire"
)

// CreateMeetingDialOut answers with a TransactionId only; these endpoints
// show what became of the call, and end it as the meeting would.

type dialOutEventOut struct {
	Status        string      `json:"Status"`
	SipStatusCode int         `json:"SipStatusCode,omitempty"`
	SipReason     string      `json:"SipReason,omitempty"`
	Timestamp     *model.Time `json:"Timestamp"`
}

type dialOutOut struct {
	TransactionId    string            `json:"TransactionId"`
	MeetingId        string            `json:"MeetingId"`
	FromPhoneNumber  string            `json:"FromPhoneNumber"`
	ToPhoneNumber    string            `json:"ToPhoneNumber"`
	Status           string            `json:"Status"`
	SipStatusCode    int               `json:"SipStatusCode,omitempty"`
	SipReason        string            `json:"SipReason,omitempty"`
	Events           []dialOutEventOut `json:"Events"`
	CreatedTimestamp *model.Time       `json:"CreatedTimestamp"`
	UpdatedTimestamp *model.Time       `json:"UpdatedTimestamp"`
}

func toDialOutOut(d *chime.DialOut) struct{ DialOut dialOutOut } {
	out := dialOutOut{
		TransactionId:    d.TransactionID,
		MeetingId:        d.MeetingID,
		FromPhoneNumber:  d.From,
		ToPhoneNumber:    d.To,
		Status:           d.Status,
		SipStatusCode:    d.SIPStatus,
		SipReason:        d.SIPReason,
		Events:           make([]dialOutEventOut, 0, len(d.Events)),
		CreatedTimestamp: model.TimeOf(d.CreatedAt),
		UpdatedTimestamp: model.TimeOf(d.UpdatedAt),
	}
	for _, ev := range d.Events {
		out.Events = append(out.Events, dialOutEventOut{Status: ev.Status, SipStatusCode: ev.SIPStatus, SipReason: ev.SIPReason, Timestamp: model.TimeOf(ev.At)})
	}
	return struct{ DialOut dialOutOut }{out}
}

// getDialOut: GET /_chimed/dial-outs/{transactionId} → 200 {"DialOut": {...}}
// with Status trying, ringing, answered, failed or ended.
func getDialOut(svc *chime.Service) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		d, err := svc.GetDialOut(r.Context(), caller, r.PathValue("transactionId"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toDialOutOut(d), nil
	}
}

// hangUpDialOut: DELETE /_chimed/dial-outs/{transactionId} → 200 {"DialOut": {...}}
// once the call has ended.
func hangUpDialOut(svc *chime.Service) wire.SignedFunc {
	return func(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
		d, err := svc.HangUpDialOut(r.Context(), caller, r.PathValue("transactionId"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toDialOutOut(d), nil
	}
}
