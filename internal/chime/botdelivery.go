package chime

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Delivery of the outbox. Up to botSlots events are in flight at once, each
// leased (a compare-and-set in the store, so two instances never hold one
// event), sent outside any transaction, and its attempt recorded under its
// lease. A slot is leased again as soon as its attempt is recorded, so a
// slow target holds up its own slot, not everyone's. A bot's next event
// waits until the one before it is finished, so each bot sees its events
// in order. An instance that dies holding a lease leaves the event to
// another once the lease ends: delivery is at least once, and EventId tells
// a repeat.
const (
	botSlots = 16
	// botRunLimit bounds the events one run leases.
	botRunLimit = 10 * botSlots
	// botLease outlasts an attempt (botAnswerTimeout) many times over.
	botLease = time.Minute
	// Retries back off exponentially from botRetryBase up to botRetryMax,
	// with jitter, and stop botGiveUp after the event was written.
	botRetryBase = 2 * time.Second
	botRetryMax  = 5 * time.Minute
	botGiveUp    = time.Hour
	// Finished events stay listed for botKeepFinished.
	botKeepFinished = 7 * 24 * time.Hour
)

// leasedEvent is an event this instance holds, with its bot as it was when
// the lease was taken.
type leasedEvent struct {
	ev      *BotEvent
	leaseID string
	bot     *Bot
}

// DeliverBotEvents delivers the events that are due and says how many it
// finished (delivered, failed or skipped). Once it has leased events it
// finishes their attempts, each at most botAnswerTimeout, even when ctx
// ends: a server that stops cleanly records what it sent and gives the
// leases back, instead of leaving the bots' queues to wait out the lease
// and sending those events again. After a failure to lease or record it
// leases no more, and returns the first error once the attempts under way
// are recorded.
func (s *Service) DeliverBotEvents(ctx context.Context) (int, error) {
	type outcome struct {
		eventID  string
		finished bool
		err      error
	}
	outcomes := make(chan outcome, botSlots)
	round := context.WithoutCancel(ctx)
	done, budget := 0, botRunLimit
	// inFlight holds the events being sent. Their leases outlast an
	// attempt many times over, but the test API's clock can jump past
	// them: an event is never leased again while this run sends it.
	inFlight := map[string]bool{}
	var firstErr error
	look := true // whether events may have come due since the last look
	for {
		for look && len(inFlight) < botSlots && budget > 0 && firstErr == nil && ctx.Err() == nil {
			leased, skipped, err := s.leaseBotEvents(ctx, min(botSlots-len(inFlight), budget), inFlight)
			if err != nil {
				firstErr = err
				break
			}
			done += skipped
			budget -= len(leased) + skipped
			for _, l := range leased {
				inFlight[l.ev.EventID] = true
				go func() {
					status, err := s.recordAttempt(round, l, s.attempt(round, l))
					outcomes <- outcome{eventID: l.ev.EventID, finished: err == nil && status != BotEventPending, err: err}
				}()
			}
			// A skipped event may have made its bot's next one due.
			look = skipped > 0
		}
		if len(inFlight) == 0 {
			return done, firstErr
		}
		o := <-outcomes
		delete(inFlight, o.eventID)
		if o.finished {
			done++
		}
		if firstErr == nil {
			firstErr = o.err
		}
		// A finished event may have made its bot's next one due.
		look = true
	}
}

// leaseBotEvents leases up to limit due events, but none of those in
// flight. An event that can go nowhere (deliverableTo) is finished as
// Skipped instead; finished says how many.
func (s *Service) leaseBotEvents(ctx context.Context, limit int, inFlight map[string]bool) (leased []leasedEvent, finished int, err error) {
	err = s.update(ctx, func(tx Tx, now time.Time) error {
		leased, finished = nil, 0
		due, err := tx.DueBotEvents(dueBy(ctx, now), limit)
		if err != nil {
			return err
		}
		for _, ev := range due {
			if inFlight[ev.EventID] {
				continue
			}
			leaseID := NewID()
			err := tx.LeaseBotEvent(ev.EventID, leaseID, now, now.Add(botLease))
			if errors.Is(err, ErrStale) {
				continue // another instance has it
			}
			if err != nil {
				return err
			}
			b, reason, err := deliverableTo(tx, ev)
			if err != nil {
				return err
			}
			if reason == "" {
				leased = append(leased, leasedEvent{ev: ev, leaseID: leaseID, bot: b})
				continue
			}
			ev.Attempts = append(ev.Attempts, DeliveryAttempt{At: now, Outcome: AttemptSkipped, Error: reason})
			ev.Status, ev.FinishedAt = BotEventSkipped, &now
			if err := tx.SaveBotEvent(ev, leaseID); err != nil {
				return err
			}
			if err := expireReply(tx, ev.ReplyEndpointID, now); err != nil {
				return err
			}
			finished++
		}
		return nil
	})
	return leased, finished, err
}

// deliverableTo returns the bot ev goes to, or why it can go nowhere: its
// account was deleted (its bots stay until the purge, 90 days on, but a
// deleted account receives nothing), or the bot is gone, disabled or
// without an events configuration.
func deliverableTo(tx Tx, ev *BotEvent) (b *Bot, reason string, err error) {
	a, err := tx.GetAccount(ev.AwsAccountID, ev.AccountID)
	switch {
	case errors.Is(err, ErrNoRows):
		return nil, "the account no longer exists", nil
	case err != nil:
		return nil, "", err
	case a.DeletedAt != nil:
		return nil, "the account was deleted", nil
	}
	b, err = tx.GetBot(ev.AccountID, ev.BotID)
	switch {
	case errors.Is(err, ErrNoRows):
		return nil, "the bot no longer exists", nil
	case err != nil:
		return nil, "", err
	case b.Disabled:
		return nil, "the bot is disabled", nil
	case !b.hasEventsEndpoint():
		return nil, "the bot has no events configuration", nil
	}
	return b, "", nil
}

// attempt sends a leased event once.
func (s *Service) attempt(ctx context.Context, l leasedEvent) DeliveryAttempt {
	at, start := s.now().UTC().Truncate(time.Millisecond), time.Now()
	target, answer, err := s.call(ctx, l.bot, []byte(l.ev.Payload), false)
	a := DeliveryAttempt{At: at, Target: target, Outcome: AttemptDelivered, Millis: time.Since(start).Milliseconds()}
	if answer != nil {
		a.StatusCode = answer.Status
		a.RetryAfterSeconds = int64(answer.RetryAfter.Seconds())
	}
	if a.Error = failure(l.bot, answer, err); a.Error == "" {
		return a
	}
	// A timeout, a 5xx, a throttle or a network failure may pass; a
	// refusal (a 4xx, a target the policy forbids) will not.
	a.Outcome = AttemptRetry
	if errors.Is(err, ErrTargetRefused) || err == nil && answer.FunctionError == "" && answer.Status < 500 && answer.Status != 429 {
		a.Outcome = AttemptFailed
	}
	return a
}

// recordAttempt stores an attempt and what it means for the event, and
// returns the event's status. An event whose lease ran out meanwhile
// belongs to another instance now: the attempt is dropped.
func (s *Service) recordAttempt(ctx context.Context, l leasedEvent, a DeliveryAttempt) (string, error) {
	var ev BotEvent
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		ev = *l.ev
		ev.Attempts = append(append([]DeliveryAttempt{}, l.ev.Attempts...), a)
		switch a.Outcome {
		case AttemptDelivered:
			ev.Status, ev.FinishedAt = BotEventDelivered, &now
		case AttemptFailed:
			ev.Status, ev.FinishedAt = BotEventFailed, &now
		default:
			next := now.Add(retryDelay(ev.Attempts))
			if next.After(ev.CreatedAt.Add(botGiveUp)) {
				// No retry follows, so the last attempt says so.
				last := &ev.Attempts[len(ev.Attempts)-1]
				last.Outcome = AttemptFailed
				last.Error += fmt.Sprintf("; not retried: an event is given up %.0f minutes after it is written", botGiveUp.Minutes())
				ev.Status, ev.FinishedAt = BotEventFailed, &now
			} else {
				ev.DueAt = next
			}
		}
		if err := tx.SaveBotEvent(&ev, l.leaseID); err != nil || ev.Status == BotEventPending {
			return err
		}
		// The bot may have been told of the Mention by this attempt, even
		// one that failed (an answer too late, say): its two minutes start
		// now. No later attempt will tell it.
		return expireReply(tx, ev.ReplyEndpointID, now.Add(shortLivedReply))
	})
	if errors.Is(err, ErrStale) {
		return BotEventPending, nil
	}
	return ev.Status, err
}

// expireReply makes a Mention's ShortLived endpoint expire at at, once its
// event is finished: two minutes after the last attempt, which may have told
// the bot, or at once for an event skipped. Until then it lasts as long as
// the event may be retried.
func expireReply(tx Tx, endpointID string, at time.Time) error {
	if endpointID == "" {
		return nil
	}
	e, err := tx.GetBotReplyEndpoint(endpointID)
	if errors.Is(err, ErrNoRows) {
		return nil // the bot left the room meanwhile
	}
	if err != nil {
		return err
	}
	e.ExpiresAt = &at
	err = tx.SaveBotReplyEndpoint(e)
	if errors.Is(err, ErrNoRows) {
		return nil
	}
	return err
}

// retryDelay is the wait before the next attempt: botRetryBase after the
// first failed attempt, doubled for each later one, at most botRetryMax,
// and a random half of it taken off so that retries to one target spread
// out; or longer, when the last answer asked for a longer wait (up to
// botRetryMax).
func retryDelay(attempts []DeliveryAttempt) time.Duration {
	d := botRetryBase
	for _, a := range attempts[1:] {
		if a.Outcome == AttemptRetry && d < botRetryMax {
			d *= 2
		}
	}
	d = min(d, botRetryMax)
	asked := time.Duration(attempts[len(attempts)-1].RetryAfterSeconds) * time.Second
	return max(d/2+rand.N(d/2), min(asked, botRetryMax))
}

// PruneBotRecords deletes the events finished more than botKeepFinished ago
// and the expired reply endpoints, and says how many records went.
func (s *Service) PruneBotRecords(ctx context.Context) (int, error) {
	var n int
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		events, err := tx.DeleteFinishedBotEvents(now.Add(-botKeepFinished))
		if err != nil {
			return err
		}
		endpoints, err := tx.DeleteExpiredBotReplyEndpoints(now)
		n = events + endpoints
		return err
	})
	return n, err
}

// ListBotDeliveries lists a bot's events, oldest first, with their attempts.
func (s *Service) ListBotDeliveries(ctx context.Context, caller Caller, accountID, botID string, maxResults *int32, token *string) (*ListPage[BotEvent], error) {
	list := func(tx Tx, after string, limit int) ([]*BotEvent, error) {
		var afterSeq int64
		if after != "" {
			var err error
			if afterSeq, err = strconv.ParseInt(after, 10, 64); err != nil {
				return nil, BadRequest("NextToken: not a token issued by this server")
			}
		}
		b, err := accountBot(tx, caller, accountID, botID)
		if err != nil {
			return nil, err
		}
		return tx.ListBotEvents(b.BotID, afterSeq, limit)
	}
	return extensionPage(ctx, s, caller, listingOf("bot-deliveries", botID), maxResults, token, list,
		func(ev *BotEvent) string { return strconv.FormatInt(ev.Seq, 10) })
}
