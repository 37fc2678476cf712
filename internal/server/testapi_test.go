package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/jobs"
	"github.com/chimed/chimed/internal/wire"
)

// A clock call whose caller hangs up while the jobs run answers (to nobody)
// and logs the client's 499, not a 500 that says the jobs failed; a job that
// does fail still makes the call a 500.
func TestMoveClockAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hangUp bool
		status int
	}{
		{"caller hangs up", true, 499},
		{"job fails", false, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			job := jobs.Task{Name: "deliver", Run: func(jobCtx context.Context) (int, error) {
				if tc.hangUp {
					cancel()
					<-jobCtx.Done()
					return 0, jobCtx.Err()
				}
				return 0, errors.New("endpoint refused")
			}}
			s := &Server{clock: &clock{base: time.Now}, jobs: jobs.NewRunner(slog.New(slog.DiscardHandler), job)}
			r := httptest.NewRequest("POST", "/_chimed/test/clock", nil).WithContext(ctx)
			_, _, err := s.testMoveClock(r, chime.Caller{}, []byte(`{"Advance": "1h"}`))
			w := httptest.NewRecorder()
			wire.WriteError(w, r, err)
			if w.Code != tc.status {
				t.Fatalf("got %d (%v), want %d", w.Code, err, tc.status)
			}
		})
	}
}
