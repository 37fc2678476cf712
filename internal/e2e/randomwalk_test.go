package e2e

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/api"
	"github.com/chimed/chimed/internal/server"
	"github.com/chimed/chimed/internal/store/postgres/pgtest"
)

// The random walk's knobs. The default number of steps keeps the test under
// about 20 s with -race on a two-core machine; CHIMED_RANDOMWALK_STEPS walks
// further, CHIMED_RANDOMWALK_SEED walks elsewhere.
const (
	defaultWalkSeed  = 1
	defaultWalkSteps = 4000
	// minOperationsWith2xx is a margin under what the default walk reaches
	// (61 of 62 operations; 60 to 62 with seeds 2 to 7), so that a walk
	// which stops reaching the server's logic (every request a 404 or a
	// 400) fails instead of passing on nothing.
	minOperationsWith2xx = 56

	// optionalRate is how often an optional member is sent.
	optionalRate = 0.3
	// brokenRate is how often a request breaks one constraint of the model.
	brokenRate = 0.1
	// reuseRate is how often any other string member takes a value an
	// answer carried (a name, a domain, a NextToken) rather than a sample.
	reuseRate = 0.25
	// recentIDs is how many of a pool's newest values a recent pick
	// chooses from.
	recentIDs = 3
)

// requiredByChimed are the structure members (shape.member) the model
// leaves optional and chimed requires (README, "What is implemented"): sent
// at optionalRate, a list of them would almost never pass.
var requiredByChimed = map[string]bool{"SigninDelegateGroup.GroupName": true}

// walkKnobs are what the sequential and the concurrent walks do
// differently. A rate of 0 draws no random number, so that the sequential
// walk, which has no recent picks and no twins, goes as it always did.
type walkKnobs struct {
	// accounts is how many accounts each tenant starts with, all but the
	// last Enterprise.
	accounts int
	// ownIDRate and anyIDRate split the values of an ID member: one of the
	// caller's own (in the request's account) most of the time, then one of
	// any tenant's or account's; the rest is an ID of nothing.
	ownIDRate, anyIDRate float64
	// jobsRate is how often a step also runs the background jobs.
	jobsRate float64
	// recentRate is how often an ID of the caller's own is one of the
	// newest of its pool, which other walkers are acting on too.
	recentRate float64
	// twinRate is how often a step sends its request, if it is not a GET
	// (a read), twice at once.
	twinRate float64
	// messageRate is how often a room the walk just created gets a message
	// through an incoming webhook, and a user it just created (in an
	// Enterprise account) starts a conversation and posts in it: messages
	// come only through chimed's extension endpoints, and redactions need
	// them.
	messageRate float64
}

var sequentialKnobs = walkKnobs{
	accounts:    3,
	ownIDRate:   0.8,
	anyIDRate:   0.9,
	jobsRate:    1.0 / 40,
	messageRate: 0.3,
}

// jobAdvances are how far the clock moves when the walk runs the jobs:
// nothing, past a phone number order and a calling-name change, and past
// the deletion queue's retention.
var jobAdvances = []time.Duration{0, time.Minute, time.Hour, 8 * 24 * time.Hour}

// poolAliases are input members whose values the answers carry under other
// names.
var poolAliases = map[string][]string{
	"MemberId":        {"UserId", "BotId"}, // a room member is a user or a bot
	"PhoneNumberId":   {"E164PhoneNumber"}, // a phone number's ID is its E.164 number
	"FromPhoneNumber": {"E164PhoneNumber"}, // a dial-out calls from a number of the inventory
}

// toleratedErrors are answers outside an operation's model that chimed
// gives on purpose, by operation and error type. Each is a finding, not a
// rule of the contract: it is listed here so that the walk goes on past it,
// and the summary counts it.
//
// DeleteEventsConfiguration answers 404 NotFoundException for an unknown
// account or bot (internal/chime/bots.go: changeBot, accountBot), which its
// model does not list; TestNotFoundForUnknownIDs and TestEventsConfiguration
// require it. The SDKs type it all the same (TestEventsConfiguration).
var toleratedErrors = map[string]bool{
	"DeleteEventsConfiguration NotFoundException": true,
}

// contract is what the walk checks answers against, beside what svcModel
// reads: each operation's success status, output and listed errors, and
// each error shape's status.
type contract struct {
	Operations map[string]struct {
		HTTP   struct{ ResponseCode int }
		Output *struct{ Shape string }
		Errors []struct{ Shape string }
	}
	Shapes map[string]struct {
		Error *struct{ HTTPStatusCode int }
	}
}

// TestRandomOperationSequences walks the model's operations at random
// against a running server, two tenants calling, with IDs taken from earlier
// answers (so that most calls act on something that exists), sometimes
// another tenant's or account's, sometimes an ID of nothing, sometimes a
// value that breaks the model. Whatever the sequence, every answer must keep
// the contract:
//   - no 5xx (no faults are configured: a 5xx is a failure of chimed's,
//     but for a lost race's, which only concurrent calls meet: lostAllRaces);
//   - a refusal has x-amzn-ErrorType, a JSON Code and a Message, an error
//     type the model lists for the operation (or one of toleratedErrors),
//     with the model's status (UnknownOperationException, 404, only for a
//     path with an empty label: a path no operation has);
//   - a success has the model's status, and a body that is JSON with only
//     members the output shape declares, at every depth.
//
// A failure names the seed and the step to replay it.
func TestRandomOperationSequences(t *testing.T) {
	seed := envInt(t, "CHIMED_RANDOMWALK_SEED", defaultWalkSeed)
	steps := envInt(t, "CHIMED_RANDOMWALK_STEPS", defaultWalkSteps)
	peers, botURL := startWalkPeers(t)
	e := start(t, peers...)
	rw := newRandomWalk(t, e, seed, sequentialKnobs)
	rw.hints["OutboundEventsHTTPSEndpoint"] = botURL
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("random walk failed at step %d; replay: CHIMED_RANDOMWALK_SEED=%d CHIMED_RANDOMWALK_STEPS=%d go test -race ./internal/e2e -run TestRandomOperationSequences",
				rw.step, seed, rw.step)
		}
	})

	began := time.Now()
	rw.seedState()
	for step := 1; step <= steps; step++ {
		rw.step = step
		rw.walkOne()
	}
	rw.hangUpCalls()
	rw.summarize(steps, steps >= defaultWalkSteps, time.Since(began))
}

// startWalkPeers starts, on loopback, what the walks' servers call: a bot's
// events endpoint and a Lambda function (the walk configures bots, and
// chimed calls them to check) and a SIP trunk's far end (which answers the
// walk's dial-outs). It returns the servers' options and the endpoint's URL.
func startWalkPeers(t *testing.T) ([]func(*server.Config), string) {
	bot := startTestBot(t, true)
	lambda := startTestLambda(t, memberSamples["LambdaFunctionArn"])
	far := startUAS(t, answer)
	return []func(*server.Config){bot.trusted, lambda.configure, far.trunk}, bot.url()
}

// concurrentKnobs make the walkers meet: fewer accounts to spread over, the
// caller's own IDs more often and the newest of them (what another walker
// may just have made) half the time, and three writes in ten sent twice at
// once.
var concurrentKnobs = walkKnobs{
	accounts:    2,
	ownIDRate:   0.9,
	anyIDRate:   0.95,
	jobsRate:    1.0 / 100,
	recentRate:  0.5,
	twinRate:    0.3,
	messageRate: 0.3,
}

// The concurrent walk's size: with the setup and the invariants' checks it
// keeps the test under about 25 s with -race on a two-core machine, on
// either engine. CHIMED_CONCURRENT_WALK_STEPS sets the steps of each walker.
const (
	concurrentWalkers      = 5
	defaultConcurrentSteps = 1500
)

// TestConcurrentRandomWalks runs walkers at the same time against the
// server (on PostgreSQL, against two instances on one database, the walkers
// alternating between them), each with its own random source, sharing the
// values that answers carry: they act on the same accounts, users, rooms,
// bots and phone numbers, so that deletes race updates, memberships race
// their room's deletion, orders race deletes and the background jobs race
// calls. Three writes in ten are sent twice at once, the twin to the other
// instance where there are two (two creates of one email, two orders of one
// number, two deletes of one room). Every answer must keep the contract that
// TestRandomOperationSequences checks (but for the 503 that lostAllRaces
// allows), and afterwards the state what the server promises whatever the
// order its calls ran in (checkWalkInvariants).
//
// The interleaving differs from run to run: a failure names the seed, the
// walker and its step with the request and the answer, but a rerun with
// the seed need not fail at the same place.
func TestConcurrentRandomWalks(t *testing.T) {
	seed := envInt(t, "CHIMED_RANDOMWALK_SEED", defaultWalkSeed)
	steps := envInt(t, "CHIMED_CONCURRENT_WALK_STEPS", defaultConcurrentSteps)
	peers, botURL := startWalkPeers(t)
	var instances []*env
	if pgtest.Configured() {
		one, two := startPair(t, peers...)
		instances = []*env{one, two}
	} else {
		// A SQLite database is one process's.
		instances = []*env{start(t, peers...)}
	}
	rw := newRandomWalk(t, instances[0], seed, concurrentKnobs)
	rw.hints["OutboundEventsHTTPSEndpoint"] = botURL
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("concurrent random walk failed, seed %d; the walkers interleave differently each run, so repeat: CHIMED_RANDOMWALK_SEED=%d go test -race ./internal/e2e -run TestConcurrentRandomWalks -count=5",
				seed, seed)
		}
	})

	began := time.Now()
	rw.seedState()
	var wg sync.WaitGroup
	for i := 1; i <= concurrentWalkers; i++ {
		e, twin := instances[i%len(instances)], instances[(i+1)%len(instances)]
		// Each walker is a subtest, so that its failures stop it from its
		// own test's goroutine (t.Fatal may not be called from any other).
		// Subtests that are not parallel run at once when their t.Run calls
		// are made at once, whatever -parallel says.
		wg.Go(func() {
			t.Run(fmt.Sprintf("walker%d", i), func(wt *testing.T) {
				w := rw.fork(wt, i, e, twin)
				// Once one walker has failed, the others stop: the first
				// failure is the one to read.
				for step := 1; step <= steps && !t.Failed(); step++ {
					w.step = step
					w.walkOne()
				}
			})
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	rw.hangUpCalls()
	rw.summarize(concurrentWalkers*steps, steps >= defaultConcurrentSteps, time.Since(began))
	t.Logf("%d walkers on %d instances; %d requests sent twice at once, %d answered with two statuses",
		concurrentWalkers, len(instances), rw.twins, rw.split)
	checkWalkInvariants(t, instances[0])
}

// fork returns walker i's randomWalk: its own test, server, twins' server
// and random source (from the seed and i), and the walk's shared state.
func (rw *randomWalk) fork(t *testing.T, i int, e, twin *env) *randomWalk {
	f := *rw
	// env.runJobs fails the env's test: the walker's copy fails its own.
	own := *e
	own.t = t
	f.t, f.e, f.twin, f.walker = t, &own, twin, i
	f.w = walker{t: t, m: rw.m}
	f.rng = rand.New(rand.NewPCG(uint64(rw.seed), uint64(i)))
	return &f
}

// randomWalk is one walker's state: its test, server and random source,
// the model, and the walk's shared state.
type randomWalk struct {
	t *testing.T
	e *env
	// twin is the server a twin request goes to.
	twin *env
	m    *svcModel
	w    walker
	c    contract
	rng  *rand.Rand
	seed int
	// walker numbers a concurrent walk's walkers from 1; 0 in a sequential
	// walk.
	walker int
	step   int
	knobs  walkKnobs
	ops    []string
	// broken holds, by operation, every way to break one constraint of one
	// of its input members.
	broken map[string][]memberViolation
	// hints are valid values, for members whose model sample the server
	// refuses for what it means (an area code of "example").
	hints map[string]string
	// inputKeys names every string value a request can carry (a list's
	// items by the list's name in the singular): answers' members of those
	// names are harvested.
	inputKeys map[string]bool
	*walkState
}

// walkState is what a concurrent walk's walkers share, guarded by mu: the
// values harvested from answers, and what came back.
type walkState struct {
	mu     sync.Mutex
	pools  map[string][]poolEntry
	seen   map[poolEntry]bool
	serial int // makes fresh values (emails, domains) unique

	statuses   map[int]int
	errorTypes map[string]int
	tolerated  map[string]int // by operation and error type
	succeeded  map[string]bool
	jobRuns    int
	// enterprise holds the accounts claimDomain made Enterprise: only
	// their users can start conversations.
	enterprise map[string]bool
	// users holds, by account, the users CreateUser made in it: the pools'
	// UserIds are not all users of their account (a batch's errors name
	// the IDs it was given, whatever they are).
	users map[string][]string
	// webhooks holds, by room, the URL of the incoming webhook the walk
	// made for it: a room has at most 10.
	webhooks map[string]string
	// messages counts the messages the walk posted.
	messages int
	// calls are the dial-outs the walk placed, to hang up at its end.
	calls []placedCall
	// twins counts the requests sent twice at once, split those whose two
	// answers differ in status: races that one of them won.
	twins, split int
}

type memberViolation struct {
	member string
	v      violation
}

// poolEntry is a value an answer carried: whose answer, and in which of
// their accounts and rooms ("" for a value outside any). A conversation,
// and its messages, have the conversation as their room: so that a
// redaction names the conversation its message is in, as it names a room
// message's room.
type poolEntry struct {
	value, tenant, account, room string
}

// placedCall is a dial-out the walk placed: whose, and the server that has
// the call, which hangs it up at once (another would wait for the first's
// next job run).
type placedCall struct {
	tenant, transactionID string
	on                    *env
}

// scope is whose request is being built: its access key, and the account
// and room it acts in once an ID picked names them.
type scope struct {
	tenant, account, room string
}

func newRandomWalk(t *testing.T, e *env, seed int, knobs walkKnobs) *randomWalk {
	m := loadModel(t)
	rw := &randomWalk{
		t: t, e: e, twin: e, m: m, w: walker{t: t, m: m},
		rng:    rand.New(rand.NewPCG(uint64(seed), uint64(seed))),
		seed:   seed,
		knobs:  knobs,
		broken: map[string][]memberViolation{},
		hints: map[string]string{
			"AreaCode": "206",
			"State":    "WA",
			"City":     "Seattle",
		},
		inputKeys: map[string]bool{},
		walkState: &walkState{
			pools:      map[string][]poolEntry{},
			seen:       map[poolEntry]bool{},
			statuses:   map[int]int{},
			errorTypes: map[string]int{},
			tolerated:  map[string]int{},
			succeeded:  map[string]bool{},
			enterprise: map[string]bool{},
			users:      map[string][]string{},
			webhooks:   map[string]string{},
		},
	}
	if err := json.Unmarshal(api.Model, &rw.c); err != nil {
		t.Fatalf("parse model: %v", err)
	}
	for _, name := range m.operationNames() {
		rw.ops = append(rw.ops, name)
		// Creations are picked three times as often: most operations act
		// on what they create.
		if strings.HasPrefix(name, "Create") {
			rw.ops = append(rw.ops, name, name)
		}
		op := m.Operations[name]
		if op.Input == nil {
			continue
		}
		input := m.Shapes[op.Input.Shape]
		for _, member := range input.memberNames() {
			shape := input.Members[member].Shape
			for _, v := range rw.w.violations(member, shape, input.isRequired(member)) {
				rw.broken[name] = append(rw.broken[name], memberViolation{member, v})
			}
		}
		rw.collectKeys("", op.Input.Shape)
	}
	return rw
}

// collectKeys records the names a request's string values go by.
func (rw *randomWalk) collectKeys(member, shape string) {
	s := rw.m.Shapes[shape]
	switch s.Type {
	case "string":
		rw.inputKeys[member] = true
	case "list":
		rw.collectKeys(singular(member), s.Member.Shape)
	case "structure":
		for _, name := range s.memberNames() {
			rw.collectKeys(name, s.Members[name].Shape)
		}
	}
}

// singular names a list's items: a UserIdList's are UserIds, an
// E164PhoneNumbers' E164PhoneNumbers (their members go by UserId and
// E164PhoneNumber).
func singular(list string) string {
	if s, ok := strings.CutSuffix(list, "List"); ok {
		return s
	}
	return strings.TrimSuffix(list, "s")
}

// seedState gives each tenant accounts to act on, Enterprise ones among
// them (rooms, bots and memberships exist only there), and phone numbers to
// order.
func (rw *randomWalk) seedState() {
	for _, tenant := range []string{keyA, keyB} {
		for i := range rw.knobs.accounts {
			r := rw.w.baseline(rw.m.Operations["CreateAccount"])
			r.set("Name", fmt.Sprintf("random walk %d", i), false)
			out := rw.mustSucceed(tenant, r)
			if i < rw.knobs.accounts-1 {
				rw.claimDomain(tenant, accountIDOf(rw.t, out))
			}
		}
		r := rw.w.baseline(rw.m.Operations["SearchAvailablePhoneNumbers"])
		r.set("AreaCode", "206", false)
		r.set("MaxResults", 10, false)
		rw.mustSucceed(tenant, r)
	}
}

func (rw *randomWalk) mustSucceed(tenant string, r *opRequest) rawResponse {
	resp := rw.call(tenant, r)
	if resp.status/100 != 2 {
		rw.fail(tenant, r, resp, "setting up the walk failed")
	}
	return resp
}

func accountIDOf(t *testing.T, resp rawResponse) string {
	var out struct{ Account struct{ AccountId string } }
	if err := json.Unmarshal(resp.body, &out); err != nil || out.Account.AccountId == "" {
		t.Fatalf("no Account.AccountId in %s", resp.body)
	}
	return out.Account.AccountId
}

// claimDomain makes an account Enterprise through chimed's extension
// endpoint (a console action in Chime, outside the API).
func (rw *randomWalk) claimDomain(tenant, accountID string) {
	rw.mu.Lock()
	rw.serial++
	domain := fmt.Sprintf("walk%d.example.com", rw.serial)
	rw.mu.Unlock()
	accountTypes := []string{"EnterpriseLWA", "EnterpriseDirectory", "EnterpriseOIDC"}
	body, err := json.Marshal(map[string]string{
		"Domain":      domain,
		"AccountType": accountTypes[rw.rng.IntN(len(accountTypes))],
	})
	if err != nil {
		rw.t.Fatal(err)
	}
	resp := rw.e.send(rw.t, tenant, rawRequest{method: "POST", path: "/_chimed/accounts/" + escapeLabel(accountID) + "/domains", body: body})
	// Another walker may have deleted the new account since its creation
	// answered: then there is nothing to claim.
	if resp.status == http.StatusNotFound && rw.walker > 0 {
		return
	}
	if resp.status != http.StatusCreated {
		rw.t.Fatalf("claim a domain for account %s: %v", accountID, resp)
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.enterprise[accountID] = true
	rw.harvestBody(tenant, "", "", resp.body)
}

// walkOne calls one operation, chosen at random, as one of the tenants, and
// now and then runs the background jobs.
func (rw *randomWalk) walkOne() {
	name := rw.ops[rw.rng.IntN(len(rw.ops))]
	tenant := []string{keyA, keyB}[rw.rng.IntN(2)]
	rw.mu.Lock()
	r := rw.request(name, tenant)
	rw.mu.Unlock()
	var resp rawResponse
	if rw.knobs.twinRate > 0 && r.op.HTTP.Method != http.MethodGet && rw.rng.Float64() < rw.knobs.twinRate {
		resp = rw.callTwins(tenant, r)
	} else {
		resp = rw.call(tenant, r)
	}
	// Half the new accounts become Enterprise, so that rooms and bots keep
	// having somewhere to live as the walk deletes accounts.
	if name == "CreateAccount" && resp.status/100 == 2 && rw.rng.IntN(2) == 0 {
		rw.claimDomain(tenant, accountIDOf(rw.t, resp))
	}
	if name == "CreateRoom" && resp.status/100 == 2 && rw.rng.Float64() < rw.knobs.messageRate {
		rw.postToRoom(tenant, resp)
	}
	if name == "CreateUser" && resp.status/100 == 2 {
		rw.newUser(tenant, resp)
	}
	if next, ok := followUps[name]; ok && resp.status/100 == 2 && rw.rng.Float64() < followUpRate {
		rw.followUp(tenant, r, next)
	}
	if rw.rng.Float64() < rw.knobs.jobsRate {
		rw.e.runJobs(jobAdvances[rw.rng.IntN(len(jobAdvances))])
		rw.mu.Lock()
		rw.jobRuns++
		rw.mu.Unlock()
	}
}

// followUps undo what an operation did, on the same resource. Picked at
// random, they would rarely find one in the state they act on: a number
// just deleted, whose restore is refused once the jobs purged it; a user
// just given a number, which the next uniform pick of a user rarely is.
var followUps = map[string]string{
	"DeletePhoneNumber":            "RestorePhoneNumber",
	"AssociatePhoneNumberWithUser": "DisassociatePhoneNumberFromUser",
}

// followUpRate is how often a success in followUps is followed up.
const followUpRate = 0.5

// followUp sends the operation next on the resource that r named: r's
// path labels replace those of a request made as any other.
func (rw *randomWalk) followUp(tenant string, r *opRequest, next string) {
	rw.mu.Lock()
	f := rw.request(next, tenant)
	rw.mu.Unlock()
	for label := range f.labels {
		if v, ok := r.labels[label]; ok {
			f.labels[label] = v
		}
	}
	rw.call(tenant, f)
}

// postToRoom posts a message into the room a CreateRoom answered, as an
// integration would: through the room's incoming webhook, which it creates
// through chimed's extension endpoint the first time. The message's ID is
// kept, in its account and room, for RedactRoomMessage.
func (rw *randomWalk) postToRoom(tenant string, created rawResponse) {
	var out struct {
		Room struct{ AccountId, RoomId string }
	}
	if err := json.Unmarshal(created.body, &out); err != nil {
		rw.t.Fatalf("CreateRoom answered %s: %v", created.body, err)
	}
	accountID, roomID := out.Room.AccountId, out.Room.RoomId
	rw.mu.Lock()
	hookURL := rw.webhooks[roomID]
	rw.mu.Unlock()
	// A CreateRoom with a ClientRequestToken used before answers the room
	// it made then, which may have its webhook already.
	if hookURL == "" {
		resp := collabCall(rw.t, rw.e, tenant, http.MethodPost, roomWebhooksPath(escapeLabel(accountID), escapeLabel(roomID)),
			map[string]string{"Name": "random walk"})
		if !rw.extensionSucceeded("create a webhook for room "+roomID, resp, http.StatusCreated, http.StatusNotFound) {
			return
		}
		var hook struct{ Webhook collabWebhook }
		resp.decode(rw.t, &hook)
		hookURL = hook.Webhook.Url
		rw.mu.Lock()
		rw.webhooks[roomID] = hookURL
		rw.mu.Unlock()
	}
	resp := postWebhook(rw.t, rw.e, hookURL, "random walk")
	if !rw.extensionSucceeded("post to the webhook of room "+roomID, resp, http.StatusOK, http.StatusNotFound) {
		return
	}
	var posted struct{ MessageId string }
	resp.decode(rw.t, &posted)
	rw.keepMessage(posted.MessageId, poolEntry{tenant: tenant, account: accountID, room: roomID})
}

// newUser keeps the user a CreateUser answered, and now and then
// (messageRate), if the account is an Enterprise one where the walk made
// other users, has the user start a conversation with one of them and post
// in it, through chimed's extension endpoints, as a user of a chat client
// would. The conversation's ID and the message's are kept, in their account
// and the conversation, for RedactConversationMessage.
func (rw *randomWalk) newUser(tenant string, created rawResponse) {
	var out struct {
		User struct{ AccountId, UserId string }
	}
	if err := json.Unmarshal(created.body, &out); err != nil {
		rw.t.Fatalf("CreateUser answered %s: %v", created.body, err)
	}
	accountID, userID := out.User.AccountId, out.User.UserId
	rw.mu.Lock()
	// Users are deleted only with their account.
	others := slices.Clone(rw.users[accountID])
	rw.users[accountID] = append(rw.users[accountID], userID)
	enterprise := rw.enterprise[accountID]
	rw.mu.Unlock()
	if !enterprise || len(others) == 0 || rw.rng.Float64() >= rw.knobs.messageRate {
		return
	}
	members := []string{userID, others[rw.rng.IntN(len(others))]}
	resp := collabCall(rw.t, rw.e, tenant, http.MethodPost, conversationsPath(escapeLabel(accountID)),
		map[string][]string{"MemberIds": members})
	if !rw.extensionSucceeded("start a conversation in account "+accountID, resp, http.StatusCreated, http.StatusNotFound) {
		return
	}
	var conversation struct {
		Conversation struct{ ConversationId string }
	}
	resp.decode(rw.t, &conversation)
	conversationID := conversation.Conversation.ConversationId
	where := poolEntry{tenant: tenant, account: accountID, room: conversationID}
	rw.mu.Lock()
	rw.keep("ConversationId", conversationID, where)
	rw.mu.Unlock()
	// The new user posts: a suspended user cannot (403), and only another
	// walker can have suspended it since.
	resp = collabCall(rw.t, rw.e, tenant, http.MethodPost, conversationMessagesPath(escapeLabel(accountID), escapeLabel(conversationID)),
		map[string]string{"SenderId": userID, "Content": "random walk"})
	if !rw.extensionSucceeded("post to conversation "+conversationID, resp, http.StatusOK, http.StatusNotFound, http.StatusForbidden) {
		return
	}
	var posted struct{ MessageId string }
	resp.decode(rw.t, &posted)
	rw.keepMessage(posted.MessageId, where)
}

func (rw *randomWalk) keepMessage(messageID string, where poolEntry) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.messages++
	rw.keep("MessageId", messageID, where)
}

// extensionSucceeded says whether an extension endpoint's answer is the
// success want. Any other fails the walk, but for one of raced in a
// concurrent walk: another walker may have deleted the account or the room
// since the call that made it answered (404), or suspended the user who
// posts (403).
func (rw *randomWalk) extensionSucceeded(what string, resp collabResponse, want int, raced ...int) bool {
	rw.t.Helper()
	if resp.status == want {
		return true
	}
	if rw.walker > 0 && slices.Contains(raced, resp.status) {
		return false
	}
	rw.t.Fatalf("seed %d, step %d: %s: want %d, got %d %s: %s", rw.seed, rw.step, what, want, resp.status, resp.header.Get("x-amzn-ErrorType"), resp.body)
	return false
}

// hangUpCalls hangs up every call the walk placed, as a client done with
// them would, so that none outlives the test: the far end holds an
// answered call until it is hung up. A call may have ended already (409):
// the trunk fails a call that the far end refuses or does not answer in
// time, and where two instances share the database, one's jobs give up the
// other's calls as lost when they move the clock past their lease (an
// instance never gives up its own).
func (rw *randomWalk) hangUpCalls() {
	for _, c := range rw.calls {
		resp := c.on.send(rw.t, c.tenant, rawRequest{method: http.MethodDelete, path: "/_chimed/dial-outs/" + escapeLabel(c.transactionID)})
		if resp.status == http.StatusConflict && resp.errorType() == "ConflictException" {
			continue
		}
		var out struct{ DialOut dialOut }
		if resp.status != http.StatusOK || json.Unmarshal(resp.body, &out) != nil ||
			out.DialOut.Status != "ended" && out.DialOut.Status != "failed" {
			rw.t.Fatalf("hang up dial-out %s: %v", c.transactionID, resp)
		}
	}
}

// request builds a request for the operation: every label and required
// member, some optional members, and now and then one broken constraint.
// The caller holds rw.mu.
func (rw *randomWalk) request(name, tenant string) *opRequest {
	r := rw.w.baseline(rw.m.Operations[name])
	sc := &scope{tenant: tenant}
	for _, member := range fillOrder(r) {
		mem := r.input.Members[member]
		if mem.Location != "uri" && !r.input.isRequired(member) && rw.rng.Float64() >= optionalRate {
			continue
		}
		r.set(member, rw.value(sc, member, mem.Shape), false)
	}
	if broken := rw.broken[name]; len(broken) > 0 && rw.rng.Float64() < brokenRate {
		b := broken[rw.rng.IntN(len(broken))]
		r.set(b.member, b.v.value, b.v.absent)
	}
	return r
}

// fillOrder returns the request's members in the order request fills
// them: the path's labels from the deepest resource up, then the rest. The
// first ID picked sets the account and room the others are picked in, so
// that a membership's member comes with its room and its account, not with
// a room it is not in.
func fillOrder(r *opRequest) []string {
	var labels, others []string
	for _, name := range r.input.memberNames() {
		if r.input.Members[name].Location == "uri" {
			labels = append(labels, name)
		} else {
			others = append(others, name)
		}
	}
	depth := func(name string) int {
		return strings.Index(r.op.HTTP.RequestURI, "{"+r.input.Members[name].LocationName+"}")
	}
	sort.Slice(labels, func(i, j int) bool { return depth(labels[i]) > depth(labels[j]) })
	return append(labels, others...)
}

// value returns a value of the shape for the member: valid by the model,
// taken from the pools where the member names something that exists.
func (rw *randomWalk) value(sc *scope, member, shape string) any {
	s := rw.m.Shapes[shape]
	switch s.Type {
	case "string":
		return rw.stringValue(sc, member, shape)
	case "boolean":
		return rw.rng.IntN(2) == 0
	case "integer", "long":
		lo, hi := int64(1), int64(10)
		if s.Min != nil {
			lo, hi = *s.Min, *s.Min+9
		}
		if s.Max != nil && *s.Max < hi {
			hi = *s.Max
		}
		return lo + rw.rng.Int64N(hi-lo+1)
	case "list":
		lo, hi := int64(1), int64(3)
		if s.Min != nil && *s.Min > lo {
			lo = *s.Min
		}
		if s.Max != nil && *s.Max < hi {
			hi = *s.Max
		}
		items := make([]any, lo+rw.rng.Int64N(hi-lo+1))
		for i := range items {
			items[i] = rw.value(sc, singular(member), s.Member.Shape)
		}
		return items
	case "structure":
		obj := map[string]any{}
		// An item's ID is what the item is about (a batch's MemberId):
		// sent even where the model leaves it optional; and so is what
		// chimed requires beyond the model.
		for _, name := range s.memberNames() {
			if s.isRequired(name) || isIDMember(name) || requiredByChimed[shape+"."+name] || rw.rng.Float64() < optionalRate {
				obj[name] = rw.value(sc, name, s.Members[name].Shape)
			}
		}
		return obj
	}
	return rw.w.sample(member, shape)
}

func (rw *randomWalk) stringValue(sc *scope, member, shape string) string {
	s := rw.m.Shapes[shape]
	pools := rw.poolsOf(member)
	all := slices.Concat(pools...)
	roll := rw.rng.Float64()
	if isIDMember(member) {
		switch {
		case roll < rw.knobs.ownIDRate:
			if v, ok := rw.pickOwn(sc, pools); ok {
				return v
			}
		case roll < rw.knobs.anyIDRate && len(all) > 0:
			return all[rw.rng.IntN(len(all))].value
		}
		// The ID of nothing; or, where none is in scope yet, of nothing
		// yet.
		if s.satisfies(unknownID) {
			return unknownID
		}
	} else if roll < reuseRate {
		if v, ok := rw.pickOwn(sc, pools); ok {
			return v
		}
	}
	if len(s.Enum) > 0 {
		return s.Enum[rw.rng.IntN(len(s.Enum))]
	}
	if v, ok := rw.hints[member]; ok {
		return v
	}
	// A fresh address most of the time: one address can be one user's only.
	if shape == "EmailAddress" && rw.rng.Float64() < 0.8 {
		rw.serial++
		return fmt.Sprintf("walker%d@example.com", rw.serial)
	}
	return rw.w.sampleString(member, shape)
}

// isIDMember says whether a member names a resource. Phone numbers are
// named by their E.164 number (a dial-out's FromPhoneNumber too).
func isIDMember(member string) bool {
	return strings.HasSuffix(member, "Id") || member == "E164PhoneNumber" || member == "FromPhoneNumber"
}

// poolsOf returns the values harvested for the member: under its name,
// then under each of its aliases.
func (rw *randomWalk) poolsOf(member string) [][]poolEntry {
	pools := [][]poolEntry{rw.pools[member]}
	for _, alias := range poolAliases[member] {
		pools = append(pools, rw.pools[alias])
	}
	return pools
}

// pickOwn picks one of the scope's tenant's values, in its account and
// room when the value belongs to one, if the tenant has any. Each pool
// with such values is as likely as the others, so that a room's few
// members are picked as often as its account's many users; now and then
// (recentRate) the value is one of the pool's newest. The first value
// picked that belongs to an account (a room) sets the scope's.
func (rw *randomWalk) pickOwn(sc *scope, pools [][]poolEntry) (string, bool) {
	var own [][]poolEntry
	for _, pool := range pools {
		var matching []poolEntry
		for _, e := range pool {
			if e.tenant == sc.tenant && within(sc.account, e.account) && within(sc.room, e.room) {
				matching = append(matching, e)
			}
		}
		if len(matching) > 0 {
			own = append(own, matching)
		}
	}
	if len(own) == 0 {
		return "", false
	}
	pool := own[rw.rng.IntN(len(own))]
	if rw.knobs.recentRate > 0 && rw.rng.Float64() < rw.knobs.recentRate {
		pool = pool[max(0, len(pool)-recentIDs):]
	}
	picked := pool[rw.rng.IntN(len(pool))]
	sc.account = cmp.Or(sc.account, picked.account)
	sc.room = cmp.Or(sc.room, picked.room)
	return picked.value, true
}

// within says whether a value of the container (an account, a room) can be
// picked where the request acts in want ("" for either: anywhere).
func within(want, container string) bool {
	return want == "" || container == "" || want == container
}

// call sends the request as the tenant, checks the answer against the
// contract, and harvests a success's values.
func (rw *randomWalk) call(tenant string, r *opRequest) rawResponse {
	resp := rw.e.send(rw.t, tenant, r.raw(rw.t))
	if why := rw.record(tenant, r, resp, rw.e); why != "" {
		rw.fail(tenant, r, resp, why)
	}
	return resp
}

// callTwins sends the request twice at once, the twin to rw.twin, so that
// the two race each other as a client's retry does its first try, and
// checks both answers as call does. It returns the first.
func (rw *randomWalk) callTwins(tenant string, r *opRequest) rawResponse {
	raw := r.raw(rw.t)
	var twin rawResponse
	var twinErr error
	var wg sync.WaitGroup
	wg.Go(func() { twin, twinErr = rw.twin.trySend(tenant, raw) })
	resp := rw.e.send(rw.t, tenant, raw)
	wg.Wait()
	if twinErr != nil {
		rw.t.Fatal(twinErr)
	}
	rw.mu.Lock()
	rw.twins++
	if resp.status != twin.status {
		rw.split++
	}
	rw.mu.Unlock()
	for _, answer := range []struct {
		resp rawResponse
		on   *env
	}{{resp, rw.e}, {twin, rw.twin}} {
		if why := rw.record(tenant, r, answer.resp, answer.on); why != "" {
			rw.fail(tenant, r, answer.resp, why+" (one of two identical requests sent at once)")
		}
	}
	return resp
}

// record counts the answer to r from the server on, harvests a success's
// values, keeps the call a dial-out placed, and returns what is wrong with
// the answer, or "".
func (rw *randomWalk) record(tenant string, r *opRequest, resp rawResponse, on *env) string {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.statuses[resp.status]++
	if t := resp.errorType(); t != "" {
		rw.errorTypes[t]++
	}
	if resp.status/100 == 2 {
		rw.succeeded[r.op.Name] = true
		rw.harvestBody(tenant, r.labels["accountId"], r.labels["roomId"], resp.body)
	}
	var placed struct{ TransactionId string }
	if r.op.Name == "CreateMeetingDialOut" && resp.status/100 == 2 && json.Unmarshal(resp.body, &placed) == nil && placed.TransactionId != "" {
		rw.calls = append(rw.calls, placedCall{tenant: tenant, transactionID: placed.TransactionId, on: on})
	}
	return rw.check(r, resp)
}

// check returns what is wrong with the answer to r, or "". It counts the
// tolerated errors it lets pass; the caller holds rw.mu.
func (rw *randomWalk) check(r *opRequest, resp rawResponse) string {
	op := rw.c.Operations[r.op.Name]
	if resp.status >= 500 && !lostAllRaces(resp) {
		return "a 5xx answer to a client's request"
	}
	if resp.status/100 == 2 {
		if want := cmp.Or(op.HTTP.ResponseCode, http.StatusOK); resp.status != want {
			return fmt.Sprintf("success status %d, but the model's is %d", resp.status, want)
		}
		if len(resp.body) == 0 {
			return ""
		}
		if op.Output == nil {
			return "a body, but the operation has no output"
		}
		var out any
		if err := json.Unmarshal(resp.body, &out); err != nil {
			return "the body is not JSON: " + err.Error()
		}
		return rw.undeclared(out, op.Output.Shape, r.op.Name+"Output")
	}
	typ := resp.errorType()
	var body struct{ Code, Message string }
	if typ == "" || json.Unmarshal(resp.body, &body) != nil || body.Code == "" || body.Message == "" {
		return "a refusal without x-amzn-ErrorType, or without a JSON Code and Message"
	}
	// The one protocol error: a path with an empty label is no
	// operation's path.
	if typ == "UnknownOperationException" && resp.status == http.StatusNotFound && hasEmptyLabel(r) {
		return ""
	}
	listed := false
	for _, e := range op.Errors {
		listed = listed || e.Shape == typ
	}
	if !listed && toleratedErrors[r.op.Name+" "+typ] {
		rw.tolerated[r.op.Name+" "+typ]++
		return ""
	}
	if !listed {
		return typ + " is not an error the model lists for " + r.op.Name
	}
	if want := rw.c.Shapes[typ].Error.HTTPStatusCode; resp.status != want {
		return fmt.Sprintf("%s with status %d, but the model's is %d", typ, resp.status, want)
	}
	return ""
}

// lostAllRaces says whether the answer is the one the README promises a
// request that lost every try to concurrent changes of the same records
// ("Running on PostgreSQL", Concurrency: a 503 ServiceUnavailableException
// saying so, which the SDKs retry), rather than a failure of chimed's. Only
// concurrent walkers can meet it; it is then checked as any modelled error.
func lostAllRaces(resp rawResponse) bool {
	return resp.status == http.StatusServiceUnavailable && resp.errorType() == "ServiceUnavailableException" &&
		strings.Contains(resp.message(), "races with concurrent changes to the same records")
}

func hasEmptyLabel(r *opRequest) bool {
	for _, v := range r.labels {
		if v == "" {
			return true
		}
	}
	return false
}

// undeclared returns the first member of v, at any depth, that the shape
// does not declare, or "".
func (rw *randomWalk) undeclared(v any, shape, path string) string {
	if v == nil {
		return path + " is null: an absent member is left out"
	}
	s := rw.m.Shapes[shape]
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s is not a JSON object", path)
		}
		for _, name := range slices.Sorted(maps.Keys(obj)) {
			mem, declared := s.Members[name]
			if !declared {
				return fmt.Sprintf("%s has member %q, which %s does not declare", path, name, shape)
			}
			if why := rw.undeclared(obj[name], mem.Shape, path+"."+name); why != "" {
				return why
			}
		}
	case "list":
		items, ok := v.([]any)
		if !ok {
			return fmt.Sprintf("%s is not a JSON array", path)
		}
		for i, item := range items {
			if why := rw.undeclared(item, s.Member.Shape, fmt.Sprintf("%s[%d]", path, i)); why != "" {
				return why
			}
		}
	}
	return ""
}

// harvestBody keeps the values of a success's members that requests can
// carry, as the tenant's, in the account and room the request's path or
// the value's object names.
func (rw *randomWalk) harvestBody(tenant, account, room string, body []byte) {
	var out any
	if json.Unmarshal(body, &out) == nil {
		rw.harvest(poolEntry{tenant: tenant, account: account, room: room}, out)
	}
}

// harvest keeps the values in v; where says whose they are.
func (rw *randomWalk) harvest(where poolEntry, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		if items, ok := v.([]any); ok {
			for _, item := range items {
				rw.harvest(where, item)
			}
		}
		return
	}
	if id, ok := obj["AccountId"].(string); ok {
		where.account = id
	}
	if id, ok := obj["RoomId"].(string); ok {
		where.room = id
	}
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		switch x := obj[name].(type) {
		case string:
			rw.keep(name, x, where)
		case []any:
			for _, item := range x {
				if s, ok := item.(string); ok {
					rw.keep(singular(name), s, where)
				} else {
					rw.harvest(where, item)
				}
			}
		default:
			rw.harvest(where, x)
		}
	}
}

func (rw *randomWalk) keep(key, value string, where poolEntry) {
	e := where
	e.value = value
	if value == "" || !rw.inputKeys[key] || rw.seen[e] {
		return
	}
	rw.seen[e] = true
	rw.pools[key] = append(rw.pools[key], e)
}

// fail stops the walk with everything needed to replay the call.
func (rw *randomWalk) fail(tenant string, r *opRequest, resp rawResponse, why string) {
	rw.t.Helper()
	raw := r.raw(rw.t)
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d, ", rw.seed)
	if rw.walker > 0 {
		fmt.Fprintf(&b, "walker %d, ", rw.walker)
	}
	fmt.Fprintf(&b, "step %d: %s as %s: %s\n", rw.step, r.op.Name, tenant, why)
	fmt.Fprintf(&b, "request:\n  %s %s", raw.method, raw.path)
	if raw.query != "" {
		fmt.Fprintf(&b, "?%s", raw.query)
	}
	fmt.Fprintf(&b, "\n  %s\n", raw.body)
	fmt.Fprintf(&b, "response:\n  %d %s\n", resp.status, http.StatusText(resp.status))
	for _, name := range slices.Sorted(maps.Keys(resp.header)) {
		fmt.Fprintf(&b, "  %s: %s\n", name, strings.Join(resp.header[name], ", "))
	}
	fmt.Fprintf(&b, "  %s", resp.body)
	rw.t.Fatal(b.String())
}

// summarize logs what the walk did, and fails if a walk of the default
// length or longer (full) reached too few of the operations' successes to
// have tested much (a shorter one, such as a replay, may well).
func (rw *randomWalk) summarize(steps int, full bool, took time.Duration) {
	var statuses []string
	for _, s := range slices.Sorted(maps.Keys(rw.statuses)) {
		statuses = append(statuses, fmt.Sprintf("%d: %d", s, rw.statuses[s]))
	}
	var types []string
	for typ, n := range rw.errorTypes {
		types = append(types, fmt.Sprintf("%s: %d", typ, n))
	}
	sort.Strings(types)
	var tolerated []string
	for what, n := range rw.tolerated {
		tolerated = append(tolerated, fmt.Sprintf("%s: %d", what, n))
	}
	sort.Strings(tolerated)
	var never []string
	for _, name := range rw.m.operationNames() {
		if !rw.succeeded[name] {
			never = append(never, name)
		}
	}
	rw.t.Logf("random walk, seed %d: %d steps, %d job runs, %d messages posted and %d dial-outs placed in %v\nstatuses: %s\nerror types: %s\ntolerated errors outside the model: %s\n%d of %d operations succeeded at least once; never: %s",
		rw.seed, steps, rw.jobRuns, rw.messages, len(rw.calls), took.Round(time.Millisecond), strings.Join(statuses, ", "), strings.Join(types, ", "),
		strings.Join(tolerated, ", "), len(rw.succeeded), len(rw.m.Operations), strings.Join(never, ", "))
	if full && len(rw.succeeded) < minOperationsWith2xx {
		rw.t.Errorf("only %d operations succeeded at least once, want %d or more: the walk no longer reaches the server's logic", len(rw.succeeded), minOperationsWith2xx)
	}
}

// checkWalkInvariants checks, through the API, what the server promises of
// its state whatever order concurrent calls ran in (README, "What is
// implemented" and "Running on PostgreSQL"):
//   - a listing pages every item exactly once, in pages of any size;
//   - emails are unique, case-insensitively, across an AWS account's users
//     (and their accounts'), and two bots of an AWS account do not share an
//     address;
//   - a room's members are users or bots of its account, each listed once;
//   - a phone number is in one AWS account's inventory at most (it is never
//     sold to two).
func checkWalkInvariants(t *testing.T, e *env) {
	t.Helper()
	holders := map[string]string{} // the access key whose inventory holds each phone number
	for _, key := range []string{keyA, keyB} {
		c := e.client(key)
		accounts := listOnce(t, "ListAccounts", func(size int32, next *string) ([]types.Account, *string, error) {
			out, err := c.ListAccounts(ctx, &chime.ListAccountsInput{MaxResults: &size, NextToken: next})
			if err != nil {
				return nil, nil, err
			}
			return out.Accounts, out.NextToken, nil
		}, func(a types.Account) string { return aws.ToString(a.AccountId) })
		userEmails := map[string]string{} // by lower-cased address: the user's ID
		botEmails := map[string]string{}  // by address: the bot's ID
		for _, a := range accounts {
			checkAccountInvariants(t, c, a, userEmails, botEmails)
		}
		numbers := listOnce(t, "ListPhoneNumbers", func(size int32, next *string) ([]types.PhoneNumber, *string, error) {
			out, err := c.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{MaxResults: &size, NextToken: next})
			if err != nil {
				return nil, nil, err
			}
			return out.PhoneNumbers, out.NextToken, nil
		}, func(n types.PhoneNumber) string { return aws.ToString(n.PhoneNumberId) })
		for _, n := range numbers {
			id := aws.ToString(n.PhoneNumberId)
			if other, ok := holders[id]; ok {
				t.Errorf("phone number %s is in the inventories of %s and %s", id, other, key)
			}
			holders[id] = key
		}
	}
}

// checkAccountInvariants checks one account's users, bots and rooms, adding
// its users' and bots' addresses to those of the AWS account's other
// accounts.
func checkAccountInvariants(t *testing.T, c *chime.Client, a types.Account, userEmails, botEmails map[string]string) {
	t.Helper()
	accountID := a.AccountId
	members := map[string]bool{} // the account's users and bots, by ID
	users := listOnce(t, "ListUsers of account "+*accountID, func(size int32, next *string) ([]types.User, *string, error) {
		out, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: accountID, MaxResults: &size, NextToken: next})
		if err != nil {
			return nil, nil, err
		}
		return out.Users, out.NextToken, nil
	}, func(u types.User) string { return aws.ToString(u.UserId) })
	for _, u := range users {
		id, email := aws.ToString(u.UserId), strings.ToLower(aws.ToString(u.PrimaryEmail))
		members[id] = true
		if email == "" {
			continue // CreateUser's Email is optional
		}
		if other, ok := userEmails[email]; ok {
			t.Errorf("users %s and %s share the email %s", other, id, email)
		}
		userEmails[email] = id
	}
	// Bots and rooms are an Enterprise account's.
	if a.AccountType == types.AccountTypeTeam {
		return
	}
	bots := listOnce(t, "ListBots of account "+*accountID, func(size int32, next *string) ([]types.Bot, *string, error) {
		out, err := c.ListBots(ctx, &chime.ListBotsInput{AccountId: accountID, MaxResults: &size, NextToken: next})
		if err != nil {
			return nil, nil, err
		}
		return out.Bots, out.NextToken, nil
	}, func(b types.Bot) string { return aws.ToString(b.BotId) })
	for _, b := range bots {
		id, email := aws.ToString(b.BotId), aws.ToString(b.BotEmail)
		if other, ok := botEmails[email]; ok {
			t.Errorf("bots %s and %s share the address %s", other, id, email)
		}
		botEmails[email] = id
		members[id] = true
	}
	rooms := listOnce(t, "ListRooms of account "+*accountID, func(size int32, next *string) ([]types.Room, *string, error) {
		out, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: accountID, MaxResults: &size, NextToken: next})
		if err != nil {
			return nil, nil, err
		}
		return out.Rooms, out.NextToken, nil
	}, func(r types.Room) string { return aws.ToString(r.RoomId) })
	for _, r := range rooms {
		memberships := listOnce(t, "ListRoomMemberships of room "+*r.RoomId, func(size int32, next *string) ([]types.RoomMembership, *string, error) {
			out, err := c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: accountID, RoomId: r.RoomId, MaxResults: &size, NextToken: next})
			if err != nil {
				return nil, nil, err
			}
			return out.RoomMemberships, out.NextToken, nil
		}, func(m types.RoomMembership) string { return aws.ToString(m.Member.MemberId) })
		for _, m := range memberships {
			if id := aws.ToString(m.Member.MemberId); !members[id] {
				t.Errorf("room %s of account %s lists member %s, which is neither a user nor a bot of the account", *r.RoomId, *accountID, id)
			}
		}
	}
}

// listOnce lists every item of a listing twice, in pages of 3 and of 99
// items (a size every listing takes), and fails unless each lists every item
// once, in the same order.
func listOnce[T any](t *testing.T, what string, page func(size int32, next *string) ([]T, *string, error), id func(T) string) []T {
	t.Helper()
	var items []T
	var ids [2][]string
	for i, size := range []int32{3, 99} {
		items = nil
		seen := map[string]bool{}
		var next *string
		for {
			got, token, err := page(size, next)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			// An item listed twice, or an empty page that goes on, ends the
			// listing: NextTokens that went round would list for ever.
			if len(got) == 0 && token != nil {
				t.Fatalf("%s in pages of %d: an empty page with a NextToken", what, size)
			}
			for _, item := range got {
				if seen[id(item)] {
					t.Fatalf("%s in pages of %d lists %s twice", what, size, id(item))
				}
				seen[id(item)] = true
				ids[i] = append(ids[i], id(item))
			}
			items = append(items, got...)
			if token == nil {
				break
			}
			next = token
		}
	}
	if !slices.Equal(ids[0], ids[1]) {
		t.Fatalf("%s lists %v in pages of 3 but %v in pages of 99", what, ids[0], ids[1])
	}
	return items
}

// envInt reads a whole number from the environment, or def when unset.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return n
}
