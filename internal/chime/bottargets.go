package chime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// BotTransport reaches the targets of bots' events: HTTPS endpoints and
// Lambda functions. internal/outbound implements it, so the domain holds no
// network code.
type BotTransport interface {
	// Post sends body to url with the given headers and returns the
	// answer. An error means no answer came (or the outbound policy
	// refused the target: ErrTargetRefused).
	Post(ctx context.Context, url string, headers map[string]string, body []byte) (*TargetAnswer, error)
	// Invoke calls a Lambda function with payload, synchronously; with
	// dryRun it only checks that the function exists and may be invoked.
	Invoke(ctx context.Context, functionARN string, payload []byte, dryRun bool) (*TargetAnswer, error)
}

// TargetAnswer is what a target answered.
type TargetAnswer struct {
	// Status is the HTTP status of the answer (of the Lambda API's for a
	// function).
	Status int
	Body   []byte
	// FunctionError is set when a Lambda function failed.
	FunctionError string
	// RetryAfter is how long the target asked to be left alone (the
	// Retry-After of its 429 or 503), or 0.
	RetryAfter time.Duration
}

// ErrTargetRefused is what a BotTransport returns for a target its policy
// forbids (an address on a private network, a scheme other than https):
// trying again would not help.
var ErrTargetRefused = errors.New("target refused by the outbound policy")

// Integrations is how the service reaches outside the server.
type Integrations struct {
	Bots BotTransport
	// Mailer sends invitations; nil when no SMTP relay is configured.
	Mailer Mailer
	// PublicURL is this server's URL as bots and invitees reach it: the
	// base of InboundHttpsEndpoint URLs and invitation links.
	PublicURL string
}

// ConfigureIntegrations sets how the service reaches outside the server.
// Call it before the service serves requests.
func (s *Service) ConfigureIntegrations(c Integrations) { s.integrations = c }

// botAnswerTimeout is how long a target has to answer (CHIME-FACTS: "200
// within 2 seconds").
const botAnswerTimeout = 2 * time.Second

// The outcomes of a delivery attempt.
const (
	AttemptDelivered = "Delivered"
	AttemptRetry     = "Retry"
	AttemptFailed    = "Failed"
	AttemptSkipped   = "Skipped"
)

// call sends payload to the bot's target: signed to its HTTPS endpoint, or
// as the invocation payload of its Lambda function. It returns the target
// it tried.
func (s *Service) call(ctx context.Context, b *Bot, payload []byte, dryRun bool) (string, *TargetAnswer, error) {
	ctx, cancel := context.WithTimeout(ctx, botAnswerTimeout)
	defer cancel()
	if b.LambdaFunctionArn != "" {
		answer, err := s.integrations.Bots.Invoke(ctx, b.LambdaFunctionArn, payload, dryRun)
		return b.LambdaFunctionArn, answer, err
	}
	timestamp := s.now().UTC().Format(eventTimeFormat)
	headers := map[string]string{
		"Content-Type":            "application/json",
		"Chime-Request-Timestamp": timestamp,
		"Chime-Signature":         SignBotEvent(b.SecurityToken, timestamp, payload),
	}
	answer, err := s.integrations.Bots.Post(ctx, b.OutboundEventsHTTPSEndpoint, headers, payload)
	return b.OutboundEventsHTTPSEndpoint, answer, err
}

// failure says why a call to b's target failed, or "" when the target took
// the event. An HTTPS endpoint must answer 200 (CHIME-FACTS: "must answer
// 200 within 2 seconds"); the Lambda API answers any 2xx (200 for an
// invocation, 204 for a dry run) when the call went through, and the
// function failed only if it says so.
func failure(b *Bot, answer *TargetAnswer, err error) string {
	took := answer != nil && answer.Status == 200
	if b.LambdaFunctionArn != "" { // as call chose
		took = answer != nil && answer.Status >= 200 && answer.Status <= 299
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer within %s", botAnswerTimeout)
	case err != nil:
		return err.Error()
	case answer.FunctionError != "":
		return "the function failed: " + answer.FunctionError
	case took:
		return ""
	case answer.Status >= 200 && answer.Status <= 299:
		return fmt.Sprintf("answered HTTP %d, not 200", answer.Status)
	case len(answer.Body) > 0:
		return answeredPrefix(answer.Status) + fmt.Sprintf("%.200q", answer.Body)
	}
	return fmt.Sprintf("answered HTTP %d", answer.Status)
}

// verifyEventsTarget checks a new events target for b before it is saved:
// a Lambda function must pass a dry-run invocation; an HTTPS endpoint must
// answer 200 to a signed {"Challenge": "<random>"} with the same JSON
// within 2 seconds. It runs outside any transaction.
func (s *Service) verifyEventsTarget(ctx context.Context, b *Bot, endpoint, arn string) error {
	target := *b
	target.OutboundEventsHTTPSEndpoint, target.LambdaFunctionArn = endpoint, arn
	if arn != "" {
		_, answer, err := s.call(ctx, &target, nil, true)
		if why := failure(&target, answer, err); why != "" {
			return BadRequest("LambdaFunctionArn: the dry-run invocation of %s failed: %s", arn, why)
		}
		return nil
	}
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	type challenge struct{ Challenge string }
	sent := challenge{base64.RawURLEncoding.EncodeToString(nonce[:])}
	body, err := json.Marshal(sent)
	if err != nil {
		return err
	}
	_, answer, err := s.call(ctx, &target, body, false)
	if why := failure(&target, answer, err); why != "" {
		return BadRequest("OutboundEventsHTTPSEndpoint: %s did not answer the challenge: %s", endpoint, why)
	}
	var got challenge
	if answer.Status != 200 || json.Unmarshal(answer.Body, &got) != nil || got != sent {
		return BadRequest("OutboundEventsHTTPSEndpoint: %s must answer 200 with the JSON body it was sent ({\"Challenge\": \"...\"}); it answered %d: %.200q",
			endpoint, answer.Status, answer.Body)
	}
	return nil
}

// answeredPrefix starts the error of an attempt whose answer had a body, the
// start of which the record keeps.
func answeredPrefix(status int) string { return fmt.Sprintf("answered HTTP %d: ", status) }

// EraseAnswers drops the answers' bodies from ev's attempts, keeping their
// status: an answer can quote the event's message ("unknown command: ..."),
// whose text is erased with the message (redaction, retention).
func (ev *BotEvent) EraseAnswers() {
	for i, a := range ev.Attempts {
		if a.StatusCode != 0 && strings.HasPrefix(a.Error, answeredPrefix(a.StatusCode)) {
			ev.Attempts[i].Error = fmt.Sprintf("answered HTTP %d (the answer was erased with the message)", a.StatusCode)
		}
	}
}
