package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/faults"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/wire"
)

// The test-control API (--enable-test-api) gives emulator users what
// LocalStack and moto users rely on: reset, snapshot and restore of their AWS
// account's state, control of the clock that drives lifecycles, and fault
// injection. Every endpoint is signed and acts on the caller's AWS account
// only, except the clock, which is the server's.

// clock is the domain clock: a base clock (the real one, or a test's) plus an
// offset the test API moves.
type clock struct {
	base   func() time.Time
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base().Add(c.offset)
}

// set makes the clock read t now, and advance moves it forward by d. Each
// refuses, leaving the clock as it was, a time before 1970 (the store's time
// keys are not ordered before it) or an offset from the base clock that a
// time.Duration cannot hold (about 292 years): Sub and Add would clamp or
// wrap it, and the clock would read another time than asked. They are two
// methods so that no value of t stands for "no Set": year 1, Go's zero
// time, is refused like any other time before 1970.
func (c *clock) set(t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.base()
	offset := t.Sub(now)
	if !now.Add(offset).Equal(t) {
		return false
	}
	return c.take(now, offset)
}

func (c *clock) advance(d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.offset > math.MaxInt64-d {
		return false
	}
	return c.take(c.base(), c.offset+d)
}

// take makes offset the clock's, unless the clock would then read a time
// before 1970. c.mu is held.
func (c *clock) take(now time.Time, offset time.Duration) bool {
	if now.Add(offset).Before(time.Unix(0, 0)) {
		return false
	}
	c.offset = offset
	return true
}

// testReset deletes the caller's records, and its fault rules on this
// instance: a test that failed before removing its rules would otherwise
// disturb the next one, which begins with a reset.
func (s *Server) testReset(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	if err := s.store.ResetTenant(r.Context(), caller.AwsAccountID); err != nil {
		return 0, nil, err
	}
	s.faults.Remove(caller.AwsAccountID, "")
	s.settleDialOuts(r, caller.AwsAccountID)
	return http.StatusNoContent, nil, nil
}

// settleDialOuts brings this instance's calls and the caller's dial-out
// records back in line once a reset or restore replaced the records: a call
// whose record is gone is hung up (another instance's at its next job run),
// and a record whose call is not in progress is ended. A failure is logged:
// the reset or restore itself is done, and the jobs hang up or expire what
// is left.
func (s *Server) settleDialOuts(r *http.Request, awsAccountID string) {
	if err := s.Service.RenewDialOutLeases(r.Context()); err != nil {
		s.log.Warn("calls whose records were removed are hung up at the next job run", "error", err.Error())
	}
	if err := s.Service.EndStaleDialOuts(r.Context(), awsAccountID); err != nil {
		s.log.Warn("restored dial-outs whose calls ended are failed once their lease lapses", "error", err.Error())
	}
}

func (s *Server) testSnapshot(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	id := chime.NewID()
	if err := s.store.SaveSnapshot(r.Context(), caller.AwsAccountID, id, s.clock.Now()); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, struct{ SnapshotId string }{id}, nil
}

func (s *Server) testRestore(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	id := r.PathValue("snapshotId")
	err := s.store.RestoreSnapshot(r.Context(), caller.AwsAccountID, id)
	if errors.Is(err, chime.ErrNoRows) {
		return 0, nil, chime.NotFound("snapshot %s not found", id)
	}
	if errors.Is(err, chime.ErrNotUnique) {
		return 0, nil, chime.Conflict("snapshot %s cannot be restored: a phone number it holds belongs to another AWS account now", id)
	}
	if err != nil {
		return 0, nil, err
	}
	s.settleDialOuts(r, caller.AwsAccountID)
	return http.StatusNoContent, nil, nil
}

type clockState struct {
	Now    *model.Time
	Offset string
}

func (s *Server) clockState() clockState {
	now := s.clock.Now()
	return clockState{Now: model.TimeOf(now), Offset: now.Sub(s.clock.base()).Round(time.Millisecond).String()}
}

func (s *Server) testGetClock(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	return http.StatusOK, s.clockState(), nil
}

// testMoveClock: {"Advance": "192h"} moves the clock forward, {"Set":
// "2027-01-01T00:00:00Z"} sets it; the background jobs then run at once, so
// whatever fell due is done when the call returns 200. If a job fails, the
// answer is a 500 that says the clock did move and which jobs failed: their
// work stays due, for the next tick or clock call.
func (s *Server) testMoveClock(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	var in struct {
		Advance *string
		// Decoded below, so that its error names it.
		Set json.RawMessage
	}
	if err := wire.DecodeStrictJSON(body, &in); err != nil {
		return 0, nil, err
	}
	if (in.Advance == nil) == (in.Set == nil) {
		return 0, nil, chime.BadRequest("give exactly one of Advance (a duration such as \"192h\") or Set (an ISO 8601 time)")
	}
	var moved bool
	if in.Advance != nil {
		d, err := time.ParseDuration(*in.Advance)
		if err != nil || d < 0 {
			return 0, nil, chime.BadRequest("Advance: %q is not a non-negative duration of at most 292 years, such as \"90m\" or \"192h\"", *in.Advance)
		}
		moved = s.clock.advance(d)
	} else {
		var set model.Time
		if err := set.UnmarshalJSON(in.Set); err != nil {
			return 0, nil, chime.BadRequest("Set: %v", err)
		}
		moved = s.clock.set(set.Time)
	}
	if !moved {
		return 0, nil, chime.BadRequest("the clock can read neither a time before 1970 nor one more than 292 years from the real time")
	}
	if err := s.RunJobs(r.Context()); err != nil {
		if r.Context().Err() != nil {
			// The caller hung up: no failure of the jobs', and nobody
			// reads the answer. Logged as the client's 499, not a 500.
			return 0, nil, err
		}
		return 0, nil, &chime.Error{Code: model.ErrorCodeServiceFailure,
			Message: fmt.Sprintf("the clock moved (it reads %s), but %v", s.clock.Now().UTC().Format(time.RFC3339), err)}
	}
	return http.StatusOK, s.clockState(), nil
}

func (s *Server) testAddFault(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	var in faults.Rule
	if err := wire.DecodeStrictJSON(body, &in); err != nil {
		return 0, nil, err
	}
	rule, err := s.faults.Add(caller.AwsAccountID, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, struct{ Fault faults.Rule }{rule}, nil
}

func (s *Server) testListFaults(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	return http.StatusOK, struct{ Faults []faults.Rule }{s.faults.List(caller.AwsAccountID)}, nil
}

func (s *Server) testClearFaults(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	s.faults.Remove(caller.AwsAccountID, "")
	return http.StatusNoContent, nil, nil
}

func (s *Server) testDeleteFault(r *http.Request, caller chime.Caller, body []byte) (int, any, error) {
	if !s.faults.Remove(caller.AwsAccountID, r.PathValue("ruleId")) {
		return 0, nil, chime.NotFound("fault rule %s not found", r.PathValue("ruleId"))
	}
	return http.StatusNoContent, nil, nil
}
