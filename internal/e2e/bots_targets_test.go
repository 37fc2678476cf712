package e2e

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/server"
)

// lambdaBot creates a bot in acct and sends its events to the function arn;
// it returns the bot's ID and PutEventsConfiguration's error.
func lambdaBot(t *testing.T, e *env, acct, arn string) (string, error) {
	t.Helper()
	c := e.client(keyA)
	created, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: aws.String(acct), DisplayName: aws.String("helper")})
	noErr(t, err)
	_, err = c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: aws.String(acct), BotId: created.Bot.BotId, LambdaFunctionArn: aws.String(arn)})
	return aws.ToString(created.Bot.BotId), err
}

// Without --allow-private-endpoints, bots' targets must be https and public:
// loopback is refused whether named by address or by a name that resolves to
// it, and nothing is saved.
func TestBotEndpointSafety(t *testing.T) {
	secure, plain := startTestBot(t, true), startTestBot(t, false)
	pool := x509.NewCertPool()
	pool.AddCert(secure.srv.Certificate())
	e := start(t, func(c *server.Config) { c.OutboundRootCAs = pool })
	c := e.client(keyA)
	acct := collabAccount(t, e, keyA, "example.com")
	bot := collabBot(t, e, keyA, acct, "helper", "")
	u, err := url.Parse(secure.url())
	noErr(t, err)
	byName := "https://localhost:" + u.Port() + "/events"

	for _, tc := range []struct {
		name, endpoint, why string
	}{
		{"loopback address", secure.url(), "private"},
		{"name resolving to loopback", byName, "private"},
		{"plain http", plain.url(), "not https"},
		{"unspecified address", "https://0.0.0.0:" + u.Port() + "/events", "private"},
		{"link-local address", "https://169.254.169.254/latest/meta-data/", "private"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId, OutboundEventsHTTPSEndpoint: aws.String(tc.endpoint)})
			wantErrorMessage(t, err, "BadRequestException", tc.why)
		})
	}
	if n := len(secure.challenged()) + len(plain.challenged()); n != 0 {
		t.Fatalf("%d challenges reached the refused endpoints", n)
	}
	_, err = c.GetEventsConfiguration(ctx, &chime.GetEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId})
	wantError(t, err, "NotFoundException")

	// Allowed private addresses still need a certificate the server trusts.
	untrusting := start(t, func(c *server.Config) { c.AllowPrivateEndpoints = true })
	acct = collabAccount(t, untrusting, keyA, "example.com")
	bot = collabBot(t, untrusting, keyA, acct, "helper", "")
	_, err = untrusting.client(keyA).PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: aws.String(acct), BotId: bot.BotId, OutboundEventsHTTPSEndpoint: aws.String(secure.url())})
	wantErrorMessage(t, err, "BadRequestException", "certificate")
}

// lambdaBotInvited starts a server that invokes functions through lambda,
// makes a bot whose events go to function arn, adds it to a room, and runs
// the jobs, which send it the Invite.
func lambdaBotInvited(t *testing.T, lambda *testLambda, arn string) (e *env, acct, room, botID string) {
	t.Helper()
	e = start(t, lambda.configure)
	acct = collabAccount(t, e, keyA, "example.com")
	room = collabRoom(t, e, keyA, acct, "ops")
	botID, err := lambdaBot(t, e, acct, arn)
	noErr(t, err)
	addBot(t, e, acct, room, botID)
	e.runJobs(0)
	return e, acct, room, botID
}

// A bot whose events go to a Lambda function is checked with a dry run and
// invoked through the Lambda API with the event as the payload, signed with
// the configured credentials.
func TestBotEventsToLambda(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:111122223333:function:chime-bot"
	lambda := startTestLambda(t, arn)
	e, acct, room, botID := lambdaBotInvited(t, lambda, arn)

	calls := lambda.calls()
	if len(calls) != 2 || calls[0].invocationType != "DryRun" || calls[1].invocationType != "RequestResponse" {
		t.Fatalf("invocations %+v, want a dry run then the Invite", calls)
	}
	for _, call := range calls {
		if call.function != arn || !strings.Contains(call.authorization, "Credential="+lambdaKey+"/") || !strings.Contains(call.authorization, "/eu-west-1/lambda/") {
			t.Fatalf("invocation of %s signed %q", call.function, call.authorization)
		}
	}
	var ev botEvent
	if err := json.Unmarshal(calls[1].payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.EventType != "Invite" || ev.Discussion.DiscussionId != room || ev.InboundHttpsEndpoint == nil {
		t.Fatalf("payload %s", calls[1].payload)
	}
	if d := deliveries(t, e, keyA, acct, botID); len(d) != 1 || d[0].Status != "Delivered" {
		t.Fatalf("deliveries %+v", d)
	}
}

// A function that threw took no event, though the Lambda API answered 200:
// the attempt is retried, and says why.
func TestBotLambdaFunctionErrorIsRetried(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:111122223333:function:chime-bot"
	lambda := startTestLambda(t, arn)
	lambda.failing = true
	e, acct, _, botID := lambdaBotInvited(t, lambda, arn)
	d := deliveries(t, e, keyA, acct, botID)
	if len(d) != 1 || d[0].Status == "Delivered" || len(d[0].Attempts) != 1 || d[0].Attempts[0].Outcome != "Retry" ||
		!strings.Contains(d[0].Attempts[0].Error, "the function failed: Unhandled") {
		t.Fatalf("deliveries %+v, want the Invite's attempt retried because the function failed", d)
	}
}

// A bot's function must be in the bot's own AWS account: chimed invokes with
// its own Lambda credentials, which would otherwise let one tenant send
// events to, or probe for, another tenant's functions.
func TestBotLambdaOfAnotherAccountRefused(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:444455556666:function:chime-bot"
	lambda := startTestLambda(t, arn)
	e := start(t, lambda.configure)
	acct := collabAccount(t, e, keyA, "example.com")
	botID, err := lambdaBot(t, e, acct, arn)
	wantError(t, err, "BadRequestException")
	if calls := lambda.calls(); len(calls) != 0 {
		t.Fatalf("invocations %+v, want none", calls)
	}
	_, err = e.client(keyA).GetEventsConfiguration(ctx, &chime.GetEventsConfigurationInput{AccountId: aws.String(acct), BotId: aws.String(botID)})
	wantError(t, err, "NotFoundException")
}

// When the Lambda API cannot be reached, the caller is told so, but not the
// operator's endpoint or its address.
func TestBotLambdaUnreachable(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:111122223333:function:chime-bot"
	lambda := startTestLambda(t, arn)
	lambda.srv.Close() // nothing answers at its address any more
	e := start(t, lambda.configure)
	_, err := lambdaBot(t, e, collabAccount(t, e, keyA, "example.com"), arn)
	wantErrorMessage(t, err, "BadRequestException", "the Lambda service could not be reached")
	if host := strings.TrimPrefix(lambda.srv.URL, "http://"); strings.Contains(err.Error(), host) {
		t.Fatalf("the error names the Lambda endpoint %s: %v", host, err)
	}
}

// A refusal of the Lambda API is the operator's AWS account speaking: the
// caller learns its status and type, not the operator's role it names.
func TestBotLambdaRefusalKeepsTheOperatorsIdentity(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:111122223333:function:chime-bot"
	lambda := startTestLambda(t, arn)
	lambda.denied = true
	e := start(t, lambda.configure)
	_, err := lambdaBot(t, e, collabAccount(t, e, keyA, "example.com"), arn)
	wantErrorMessage(t, err, "BadRequestException", "AccessDeniedException")
	if strings.Contains(err.Error(), "999988887777") {
		t.Fatalf("the error names the operator's role: %v", err)
	}
}

// Two servers on one database, both running the delivery job over the same
// outbox at once: every event reaches its bot exactly once.
func TestTwoInstancesDeliverOnce(t *testing.T) {
	endpoint := startTestBot(t, false)
	one := start(t, endpoint.trusted)
	two := start(t, endpoint.trusted, func(c *server.Config) { c.DB = one.db; c.Now = one.clock.Now })
	acct := collabAccount(t, one, keyA, "example.com")
	const bots, rooms = 3, 4
	for i := range bots {
		bot := collabBot(t, one, keyA, acct, fmt.Sprintf("bot%d", i), endpoint.url())
		for j := range rooms {
			room := collabRoom(t, one, keyA, acct, fmt.Sprintf("room%d", j))
			addBot(t, one, acct, room, aws.ToString(bot.BotId))
		}
	}
	var wg sync.WaitGroup
	for _, e := range []*env{one, two, one, two} {
		wg.Go(func() { e.runJobs(0) })
	}
	wg.Wait()
	got := endpoint.waitEvents(t, bots*rooms)
	seen := map[string]bool{}
	for _, r := range got {
		if seen[r.event.EventId] {
			t.Fatalf("event %s delivered twice", r.event.EventId)
		}
		seen[r.event.EventId] = true
	}
	if len(got) != bots*rooms {
		t.Fatalf("%d events delivered, want %d", len(got), bots*rooms)
	}
}
