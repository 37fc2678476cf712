package chime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chimed/chimed/internal/catalogue"
	"github.com/chimed/chimed/internal/model"
)

// TelephonyConfig is how the telephony lifecycles and dial-out behave.
type TelephonyConfig struct {
	// OrderDelay is how long an order stays Processing.
	OrderDelay time.Duration
	// CallingNameDelay is how long a calling-name change stays
	// UpdateInProgress.
	CallingNameDelay time.Duration
	// DeletionRetention is how long a deleted number stays in the deletion
	// queue.
	DeletionRetention time.Duration
	// Dialer places dial-out calls; nil when no SIP trunk is configured.
	Dialer Dialer
}

// ConfigureTelephony sets the telephony configuration. Call it before the
// service serves requests.
func (s *Service) ConfigureTelephony(c TelephonyConfig) { s.telephony = c }

// Dialer places outbound phone calls. The SIP user agent (internal/sip)
// implements it, so the domain does not depend on a SIP stack.
type Dialer interface {
	// Dial starts placing c and returns once the call is on its way, or an
	// error when it could not be placed (wrapping ErrCallTooLarge when c's
	// signalling does not fit the trunk's transport). progress receives
	// each step of a placed call, in order, the last being DialOutFailed
	// or DialOutEnded.
	Dial(c OutboundCall, progress func(CallProgress) error) error
	// HangUp ends a live call placed by Dial and returns once it ended;
	// false when this dialer has no such call.
	HangUp(callID string) bool
	// Live returns the IDs of the calls in progress.
	Live() []string
}

// ErrCallTooLarge is a Dialer's refusal of a call whose signalling is too
// large for the trunk's transport (a long join token over UDP).
var ErrCallTooLarge = errors.New("the call's signalling is too large for the trunk's transport")

// OutboundCall is a call for the Dialer to place.
type OutboundCall struct {
	ID   string
	From string // E.164, the caller ID
	To   string // E.164
	// CallerName is the display name of the caller ID; may be empty.
	CallerName string
	// Headers are extra headers for the call's signalling.
	Headers map[string]string
}

// CallProgress is one step of a call.
type CallProgress struct {
	Status    string
	SIPStatus int
	SIPReason string
}

// The statuses of a dial-out.
const (
	DialOutTrying   = "trying"
	DialOutRinging  = "ringing"
	DialOutAnswered = "answered"
	DialOutFailed   = "failed"
	DialOutEnded    = "ended"
)

// DialOut is a call placed by CreateMeetingDialOut, with its progress.
type DialOut struct {
	TransactionID string
	AwsAccountID  string
	MeetingID     string
	From          string
	To            string
	Status        string
	SIPStatus     int
	SIPReason     string
	Events        []DialOutEvent
	// HangUpRequested says a hang-up came to an instance that does not
	// have the call; the one that does hangs up at its next job run.
	HangUpRequested bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// DialOutEvent is a step of a dial-out, when it happened.
type DialOutEvent struct {
	Status    string
	SIPStatus int
	SIPReason string
	At        time.Time
}

// DialOutTx reads and writes dial-outs. A live dial-out has a lease that the
// server instance placing the call renews; when the lease runs out the
// instance is gone, and the call with it.
type DialOutTx interface {
	InsertDialOut(d *DialOut, leaseUntil time.Time) error
	DeleteDialOut(transactionID string) error
	// GetDialOut returns ErrNoRows unless the dial-out is awsAccountID's.
	GetDialOut(awsAccountID, transactionID string) (*DialOut, error)
	// SaveDialOut stores d if the stored dial-out still has status
	// prevStatus; ErrStale otherwise.
	SaveDialOut(d *DialOut, prevStatus string) error
	RenewDialOutLeases(transactionIDs []string, until time.Time) error
	// DialOutsNamed returns the stored dial-outs among transactionIDs.
	DialOutsNamed(transactionIDs []string) ([]*DialOut, error)
	// LapsedDialOuts returns up to limit unfinished dial-outs whose lease
	// ended before now.
	LapsedDialOuts(now time.Time, limit int) ([]*DialOut, error)
	// UnfinishedDialOuts returns awsAccountID's unfinished dial-outs.
	UnfinishedDialOuts(awsAccountID string) ([]*DialOut, error)
}

// dialOutLease is how long a live call's record stays trusted without its
// server renewing it (which the background jobs do every job interval).
const dialOutLease = time.Minute

func (d *DialOut) finished() bool { return d.Status == DialOutFailed || d.Status == DialOutEnded }

// dialOutStages orders the statuses: a call only moves forward. The SIP
// library hands each response to a goroutine of its own, so a 100 Trying
// can arrive after the 180 Ringing that followed it.
var dialOutStages = map[string]int{DialOutTrying: 1, DialOutRinging: 2, DialOutAnswered: 3, DialOutFailed: 4, DialOutEnded: 4}

// advance records a step, unless it repeats the current one or goes back.
func (d *DialOut) advance(p CallProgress, now time.Time) bool {
	if p.Status == d.Status && p.SIPStatus == d.SIPStatus || dialOutStages[p.Status] < dialOutStages[d.Status] {
		return false
	}
	d.Status, d.SIPStatus, d.SIPReason = p.Status, p.SIPStatus, p.SIPReason
	d.Events = append(d.Events, DialOutEvent{Status: p.Status, SIPStatus: p.SIPStatus, SIPReason: p.SIPReason, At: now})
	d.UpdatedAt = now
	return true
}

// CreateMeetingDialOut calls ToPhoneNumber from FromPhoneNumber, a number of
// the caller's inventory, through the SIP trunk, carrying the meeting ID and
// the attendee's join token in X- headers. This server has no meetings of
// its own (they belong to the Chime SDK meetings API), so any meeting ID is
// passed on as given.
func (s *Service) CreateMeetingDialOut(ctx context.Context, caller Caller, in *model.CreateMeetingDialOutRequest) (*model.CreateMeetingDialOutResponse, error) {
	dialer := s.telephony.Dialer
	if dialer == nil {
		// Not ServiceUnavailable: the SDKs retry that, and this server will
		// not have a trunk on the next attempt either.
		return nil, Forbidden("dial-out is not configured on this server: start chimed with --sip-trunk")
	}
	from, to := phoneNumberID(*in.FromPhoneNumber), phoneNumberID(*in.ToPhoneNumber)
	if !catalogue.IsValidNumber(to) {
		return nil, BadRequest("ToPhoneNumber: %s is not a valid phone number", to)
	}
	d := &DialOut{
		TransactionID: NewID(),
		AwsAccountID:  caller.AwsAccountID,
		MeetingID:     *in.MeetingId,
		From:          from,
		To:            to,
	}
	var callerName string
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		n, err := tx.GetPhoneNumber(caller.AwsAccountID, from)
		switch {
		case errors.Is(err, ErrNoRows):
			return Forbidden("FromPhoneNumber: %s is not a phone number of AWS account %s", from, caller.AwsAccountID)
		case err != nil:
			return err
		case n.Status != model.PhoneNumberStatusUnassigned && n.Status != model.PhoneNumberStatusAssigned:
			return Forbidden("FromPhoneNumber: %s is %s, not a phone number in the inventory of AWS account %s", from, n.Status, caller.AwsAccountID)
		case !*capabilities(n.ProductType, n.Country, n.Type).OutboundCall:
			// As GetPhoneNumber reports it.
			return Forbidden("FromPhoneNumber: %s cannot place calls: a %s number of %s only answers them", from, n.ProductType, n.Country)
		}
		if callerName, err = callingNameOf(tx, n); err != nil {
			return err
		}
		d.CreatedAt = now
		d.Status, d.SIPStatus, d.SIPReason, d.Events = "", 0, "", nil
		d.advance(CallProgress{Status: DialOutTrying}, now)
		return tx.InsertDialOut(d, now.Add(dialOutLease))
	})
	if err != nil {
		return nil, err
	}
	call := OutboundCall{
		ID:         d.TransactionID,
		From:       from,
		To:         to,
		CallerName: callerName,
		Headers: map[string]string{
			"X-Chime-Meeting-Id":     *in.MeetingId,
			"X-Chime-Join-Token":     *in.JoinToken,
			"X-Chime-Transaction-Id": d.TransactionID,
		},
	}
	progress := func(p CallProgress) error { return s.recordCallProgress(caller.AwsAccountID, d.TransactionID, p) }
	if err := dialer.Dial(call, progress); err != nil {
		// The call was never placed and its TransactionId is not given
		// out: a refused request leaves nothing behind.
		delErr := s.update(context.WithoutCancel(ctx), func(tx Tx, now time.Time) error { return tx.DeleteDialOut(d.TransactionID) })
		switch {
		case delErr != nil:
			return nil, delErr
		case errors.Is(err, ErrCallTooLarge):
			// Not ServiceUnavailable: the SDKs would retry the same call.
			return nil, BadRequest("JoinToken: with its %d characters the call's INVITE is too large for this server's UDP SIP trunk; a TCP trunk (--sip-trunk ...;transport=tcp) carries it", len(*in.JoinToken))
		}
		return nil, Unavailable("the call to %s could not be placed: %v", to, err)
	}
	return &model.CreateMeetingDialOutResponse{TransactionId: model.String(d.TransactionID)}, nil
}

// callingNameOf is the name shown with a number's calls: its own calling
// name once set, else the AWS account's default.
func callingNameOf(tx Tx, n *PhoneNumber) (string, error) {
	if n.CallingNameStatus == model.CallingNameStatusUpdateSucceeded {
		return n.CallingName, nil
	}
	st, err := telephonySettings(tx, n.AwsAccountID)
	if err != nil {
		return "", err
	}
	return st.CallingName, nil
}

// recordCallProgress stores a step of a call. A finished dial-out (for
// instance one given up as lost) does not change any more.
func (s *Service) recordCallProgress(awsAccountID, transactionID string, p CallProgress) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.update(ctx, func(tx Tx, now time.Time) error {
		d, err := tx.GetDialOut(awsAccountID, transactionID)
		if errors.Is(err, ErrNoRows) {
			return nil // the test API's reset or restore removed it; the call is being hung up
		}
		if err != nil {
			return fmt.Errorf("load dial-out %s: %w", transactionID, err)
		}
		prev := d.Status
		if d.finished() || !d.advance(p, now) {
			return nil
		}
		return tx.SaveDialOut(d, prev)
	})
}

// GetDialOut returns a dial-out of the caller with its progress.
func (s *Service) GetDialOut(ctx context.Context, caller Caller, transactionID string) (*DialOut, error) {
	var d *DialOut
	err := s.view(ctx, func(tx Tx) error {
		var err error
		d, err = tx.GetDialOut(caller.AwsAccountID, transactionID)
		return notFoundIfMissing(err, "DialOut", transactionID)
	})
	return d, err
}

// HangUpDialOut ends a live dial-out call, as the meeting would when the
// callee is removed from it, and returns the dial-out as it ended. A call
// placed by another instance is hung up by that one, at its next job run:
// the request is recorded, and answered once the call has ended (or after
// hangUpWait, as it is then).
func (s *Service) HangUpDialOut(ctx context.Context, caller Caller, transactionID string) (*DialOut, error) {
	d, err := s.GetDialOut(ctx, caller, transactionID)
	if err != nil {
		return nil, err
	}
	if d.finished() {
		return nil, Conflict("dial-out %s has already %s", transactionID, d.Status)
	}
	if s.telephony.Dialer != nil && s.telephony.Dialer.HangUp(transactionID) {
		return s.GetDialOut(ctx, caller, transactionID)
	}
	if err := s.requestHangUp(ctx, caller, transactionID); err != nil {
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, hangUpWait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-wait.Done():
			return s.GetDialOut(ctx, caller, transactionID)
		case <-tick.C:
		}
		if d, err = s.GetDialOut(ctx, caller, transactionID); err != nil || d.finished() {
			return d, err
		}
	}
}

// hangUpWait is how long a hang-up waits for another instance to end the
// call: its job interval, then SIP's 32 s for a call the trunk does not
// answer.
const hangUpWait = 45 * time.Second

// requestHangUp marks a live dial-out for the instance that has the call.
func (s *Service) requestHangUp(ctx context.Context, caller Caller, transactionID string) error {
	return s.update(ctx, func(tx Tx, now time.Time) error {
		d, err := tx.GetDialOut(caller.AwsAccountID, transactionID)
		if err := notFoundIfMissing(err, "DialOut", transactionID); err != nil {
			return err
		}
		if d.finished() || d.HangUpRequested {
			return nil
		}
		d.HangUpRequested, d.UpdatedAt = true, now
		err = tx.SaveDialOut(d, d.Status)
		if errors.Is(err, ErrStale) {
			return nil // the call moved on; the wait sees where to
		}
		return err
	})
}

// RenewDialOutLeases keeps the records of this instance's live calls
// trusted, for the other instances' ExpireLostDialOuts, and ends the calls
// that callsToEnd names. It is run by the background jobs, and after the
// test API's reset and restore.
func (s *Service) RenewDialOutLeases(ctx context.Context) error {
	if s.telephony.Dialer == nil {
		return nil
	}
	live := s.telephony.Dialer.Live()
	if len(live) == 0 {
		return nil
	}
	var hangUps []string
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		if err := tx.RenewDialOutLeases(live, now.Add(dialOutLease)); err != nil {
			return err
		}
		stored, err := tx.DialOutsNamed(live)
		hangUps = callsToEnd(live, stored)
		return err
	})
	// Each hang-up may take SIP's timers to finish: not on the jobs' time.
	for _, id := range hangUps {
		go s.telephony.Dialer.HangUp(id)
	}
	return err
}

// callsToEnd are those of the live calls whose hang-up was requested, or
// whose record is gone: the test API's reset or restore removed it, and
// with it the caller's means to see or end the call.
func callsToEnd(live []string, stored []*DialOut) []string {
	byID := make(map[string]*DialOut, len(stored))
	for _, d := range stored {
		byID[d.TransactionID] = d
	}
	var out []string
	for _, id := range live {
		if d, ok := byID[id]; !ok || d.HangUpRequested {
			out = append(out, id)
		}
	}
	return out
}

// ExpireLostDialOuts fails the unfinished dial-outs whose server stopped
// renewing them: their calls went down with it. It says how many; it is run
// by the background jobs. A call this instance holds is never lost, even
// when its lease lapsed: its renewal may not have run yet on its own
// ticker, or the test API's clock jumped past it.
func (s *Service) ExpireLostDialOuts(ctx context.Context) (int, error) {
	done := 0
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		lapsed, err := tx.LapsedDialOuts(now, jobBatch)
		if err != nil {
			return err
		}
		done, err = s.failUnheld(tx, lapsed, "lost: the server placing the call stopped", now)
		return err
	})
	return done, err
}

// EndStaleDialOuts fails awsAccountID's unfinished dial-outs that no call
// of this instance holds: a restored snapshot brings a dial-out back as it
// was when taken, live-looking, and its call may have ended since. The test
// API runs it after a restore; being for a single instance, it does not look
// for the call elsewhere.
func (s *Service) EndStaleDialOuts(ctx context.Context, awsAccountID string) error {
	return s.update(ctx, func(tx Tx, now time.Time) error {
		open, err := tx.UnfinishedDialOuts(awsAccountID)
		if err != nil {
			return err
		}
		_, err = s.failUnheld(tx, open, "ended: its call was not in progress when the snapshot was restored", now)
		return err
	})
}

// failUnheld fails, with reason, those of dial-outs whose call this
// instance does not hold, and says how many.
func (s *Service) failUnheld(tx Tx, dialOuts []*DialOut, reason string, now time.Time) (int, error) {
	live := map[string]bool{}
	if s.telephony.Dialer != nil {
		for _, id := range s.telephony.Dialer.Live() {
			live[id] = true
		}
	}
	failed := 0
	for _, d := range dialOuts {
		if live[d.TransactionID] {
			continue
		}
		prev := d.Status
		d.advance(CallProgress{Status: DialOutFailed, SIPReason: reason}, now)
		switch err := tx.SaveDialOut(d, prev); {
		case errors.Is(err, ErrStale):
			// The call moved on meanwhile.
		case err != nil:
			return 0, err
		default:
			failed++
		}
	}
	return failed, nil
}
