// Package storetest is the conformance suite every chime.Store passes: the
// sqlite and postgres packages run it on their engine, so that the service
// sees one behaviour on both, including when several chimed processes share
// one database.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/store/sqlstore"
)

// Open opens one more handle (a connection pool, as one chimed process has)
// on the test's database, migrating it if needed.
type Open func(ctx context.Context) (chime.Store, error)

// NewDatabase makes an empty database for t and returns how to open it.
type NewDatabase func(t *testing.T) Open

var ctx = context.Background()

// Run runs the suite, each test on a database of its own.
func Run(t *testing.T, newDB NewDatabase) {
	tests := []struct {
		name string
		run  func(t *testing.T, open Open)
	}{
		{"RoundTrip", testRoundTrip},
		{"RollbackOnError", testRollbackOnError},
		{"NotUniqueLeavesTransactionUsable", testNotUniqueLeavesTransactionUsable},
		{"ConcurrentMigrations", testConcurrentMigrations},
		{"WriteOnOneReadOnOther", testWriteOnOneReadOnOther},
		{"ConcurrentDuplicateInsert", testConcurrentDuplicateInsert},
		{"NoLostUpdates", testNoLostUpdates},
		{"WriteSkewRefused", testWriteSkewRefused},
		{"PurgeRunsOnce", testPurgeRunsOnce},
		{"PanicRollsBack", testPanicRollsBack},
		{"LookupOfLiveUser", testLookupOfLiveUser},
		{"UserIDTaken", testUserIDTaken},
		{"LookupRunsOneReadingStatement", testLookupRunsOneReadingStatement},
		{"LookupsGiveTheirConnectionBack", testLookupsGiveTheirConnectionBack},
		{"LookupAfterCloseFails", testLookupAfterCloseFails},
		{"DueBotEventsTakeTenantsInTurns", testDueBotEventsTakeTenantsInTurns},
		{"AuditEventsOfOneMillisecondInWrittenOrder", testAuditEventsOfOneMillisecondInWrittenOrder},
		{"PruneAuditEvents", testPruneAuditEvents},
		{"StaleSavesRefused", testStaleSavesRefused},
		{"TestAPIKeepsToOneAWSAccount", testTestAPIKeepsToOneAWSAccount},
		{"SecretIsMadeOnce", testSecretIsMadeOnce},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newDB(t)) })
	}
}

// handles opens n stores on one database, closed when t ends.
func handles(t *testing.T, open Open, n int) []chime.Store {
	t.Helper()
	stores := make([]chime.Store, n)
	for i := range stores {
		s, err := open(ctx)
		if err != nil {
			t.Fatalf("open store %d: %v", i, err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close store %d: %v", i, err)
			}
		})
		stores[i] = s
	}
	return stores
}

func account(id string) *chime.Account {
	return &chime.Account{AwsAccountID: "111122223333", AccountID: id, Name: "name-" + id, AccountType: "Team",
		CreatedAt: time.UnixMilli(1700000000000).UTC()}
}

func user(accountID, userID, email string) *chime.User {
	return &chime.User{AwsAccountID: "111122223333", AccountID: accountID, UserID: userID, Email: email,
		UserType: "PrivateUser", CreatedAt: time.UnixMilli(1700000000000).UTC()}
}

func mustUpdate(t *testing.T, s chime.Store, fn func(chime.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func getAccount(t *testing.T, s chime.Store, id string) *chime.Account {
	t.Helper()
	var a *chime.Account
	err := s.View(ctx, func(tx chime.Tx) error {
		var err error
		a, err = tx.GetAccount("111122223333", id)
		return err
	})
	if err != nil {
		t.Fatalf("get account %s: %v", id, err)
	}
	return a
}

func testRoundTrip(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	a := account("a1")
	mustUpdate(t, s, func(tx chime.Tx) error { return tx.InsertAccount(a) })
	got := getAccount(t, s, "a1")
	if got.Name != a.Name || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("got %+v, want %+v", got, a)
	}
	err := s.View(ctx, func(tx chime.Tx) error {
		_, err := tx.GetAccount("111122223333", "missing")
		return err
	})
	if !errors.Is(err, chime.ErrNoRows) {
		t.Fatalf("get missing account: want ErrNoRows, got %v", err)
	}
	err = s.Update(ctx, func(tx chime.Tx) error { return tx.SaveAccount(account("missing")) })
	if !errors.Is(err, chime.ErrNoRows) {
		t.Fatalf("save missing account: want ErrNoRows, got %v", err)
	}
}

func testRollbackOnError(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	refused := errors.New("refused")
	err := s.Update(ctx, func(tx chime.Tx) error {
		if err := tx.InsertAccount(account("a1")); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("want the function's error, got %v", err)
	}
	err = s.View(ctx, func(tx chime.Tx) error {
		_, err := tx.GetAccount("111122223333", "a1")
		return err
	})
	if !errors.Is(err, chime.ErrNoRows) {
		t.Fatalf("the insert of a failed transaction is visible: %v", err)
	}
}

// The service may refuse one item of a batch on a duplicate and go on with
// the others in the same transaction, on every engine.
func testNotUniqueLeavesTransactionUsable(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	mustUpdate(t, s, func(tx chime.Tx) error {
		if err := tx.InsertAccount(account("a1")); err != nil {
			return err
		}
		if err := tx.InsertUser(user("a1", "u1", "x@example.com")); err != nil {
			return err
		}
		if err := tx.InsertUser(user("a1", "u2", "X@example.com")); !errors.Is(err, chime.ErrNotUnique) {
			return fmt.Errorf("duplicate email: want ErrNotUnique, got %v", err)
		}
		return tx.InsertUser(user("a1", "u3", "y@example.com"))
	})
	err := s.View(ctx, func(tx chime.Tx) error {
		n, err := tx.CountUsers("a1")
		if err == nil && n != 2 {
			err = fmt.Errorf("%d users, want 2", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Instances started together all migrate the same database, and agree.
func testConcurrentMigrations(t *testing.T, open Open) {
	const n = 4
	stores := make([]chime.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = open(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if t.Failed() {
		t.FailNow()
	}
	mustUpdate(t, stores[0], func(tx chime.Tx) error { return tx.InsertAccount(account("a1")) })
	for i := range stores {
		getAccount(t, stores[i], "a1")
	}
}

func testWriteOnOneReadOnOther(t *testing.T, open Open) {
	s := handles(t, open, 2)
	mustUpdate(t, s[0], func(tx chime.Tx) error { return tx.InsertAccount(account("a1")) })
	if got := getAccount(t, s[1], "a1"); got.Name != "name-a1" {
		t.Fatalf("other handle read %+v", got)
	}
}

// Racing inserts of one email through two handles: exactly one wins, the
// others are told ErrNotUnique.
func testConcurrentDuplicateInsert(t *testing.T, open Open) {
	s := handles(t, open, 2)
	mustUpdate(t, s[0], func(tx chime.Tx) error { return tx.InsertAccount(account("a1")) })
	const racers = 8
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			errs[i] = s[i%2].Update(ctx, func(tx chime.Tx) error {
				if _, err := tx.GetAccount("111122223333", "a1"); err != nil {
					return err
				}
				return tx.InsertUser(user("a1", fmt.Sprintf("u%d", i), "same@example.com"))
			})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, chime.ErrNotUnique):
			t.Errorf("racer %d: want nil or ErrNotUnique, got %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d racers inserted the email, want 1", won)
	}
}

// Read-modify-write of one record from many goroutines on two handles: no
// update is lost.
func testNoLostUpdates(t *testing.T, open Open) {
	s := handles(t, open, 2)
	mustUpdate(t, s[0], func(tx chime.Tx) error { return tx.InsertAccount(account("a1")) })
	const writers, each = 8, 3
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				errs <- s[w%2].Update(ctx, func(tx chime.Tx) error {
					a, err := tx.GetAccount("111122223333", "a1")
					if err != nil {
						return err
					}
					a.SigninDelegateGroups = append(a.SigninDelegateGroups, fmt.Sprintf("g%d-%d", w, i))
					return tx.SaveAccount(a)
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := getAccount(t, s[0], "a1").SigninDelegateGroups
	if len(got) != writers*each {
		t.Fatalf("%d updates kept of %d: %v", len(got), writers*each, got)
	}
}

// Two transactions that each check a rule on what the other writes: the
// rule still holds after both (here, an account deleted only when it has no
// users, against a concurrent user insert).
func testWriteSkewRefused(t *testing.T, open Open) {
	s := handles(t, open, 2)
	const rounds = 10
	for r := range rounds {
		id := fmt.Sprintf("a%d", r)
		mustUpdate(t, s[0], func(tx chime.Tx) error { return tx.InsertAccount(account(id)) })
		var wg sync.WaitGroup
		var delErr, addErr error
		wg.Go(func() {
			delErr = s[0].Update(ctx, func(tx chime.Tx) error {
				a, err := tx.GetAccount("111122223333", id)
				if err != nil {
					return err
				}
				n, err := tx.CountUsers(id)
				if err != nil || n > 0 {
					return errors.Join(err, errors.New("has users"))
				}
				now := time.Now()
				a.DeletedAt = &now
				return tx.SaveAccount(a)
			})
		})
		wg.Go(func() {
			addErr = s[1].Update(ctx, func(tx chime.Tx) error {
				a, err := tx.GetAccount("111122223333", id)
				if err != nil || a.DeletedAt != nil {
					return errors.Join(err, errors.New("deleted"))
				}
				return tx.InsertUser(user(id, fmt.Sprintf("u%d", r), fmt.Sprintf("u%d@example.com", r)))
			})
		})
		wg.Wait()
		if delErr == nil && addErr == nil {
			t.Fatalf("round %d: the account was deleted and got a user", r)
		}
		if delErr != nil && addErr != nil {
			t.Fatalf("round %d: both refused: %v; %v", r, delErr, addErr)
		}
	}
}

// A background purge run by several instances at once removes each account
// once: the counts add up to the number of accounts.
func testPurgeRunsOnce(t *testing.T, open Open) {
	s := handles(t, open, 2)
	deleted := time.UnixMilli(1700000000000)
	const accounts = 5
	mustUpdate(t, s[0], func(tx chime.Tx) error {
		for i := range accounts {
			a := account(fmt.Sprintf("a%d", i))
			a.DeletedAt = &deleted
			if err := tx.InsertAccount(a); err != nil {
				return err
			}
			if err := tx.InsertUser(user(a.AccountID, fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.com", i))); err != nil {
				return err
			}
		}
		return tx.InsertAccount(account("live"))
	})
	const runners = 4
	counts := make([]int, runners)
	errs := make([]error, runners)
	var wg sync.WaitGroup
	for i := range runners {
		wg.Go(func() {
			errs[i] = s[i%2].Update(ctx, func(tx chime.Tx) error {
				var err error
				counts[i], err = tx.PurgeAccounts(deleted.Add(time.Second))
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("runner %d: %v", i, err)
		}
	}
	if total := sumOf(counts); total != accounts {
		t.Fatalf("runners purged %v accounts, %d in all, want %d", counts, total, accounts)
	}
	var left []*chime.Account
	err := s[1].View(ctx, func(tx chime.Tx) error {
		var err error
		left, err = tx.ListAccounts("111122223333", chime.AccountFilter{}, chime.Page{Limit: 100})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(left))
	for i, a := range left {
		ids[i] = a.AccountID
	}
	if !slices.Equal(ids, []string{"live"}) {
		t.Fatalf("accounts left %v, want [live]", ids)
	}
}

func sumOf(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func testLookupOfLiveUser(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	deleted := account("gone")
	deleted.DeletedAt = &deleted.CreatedAt
	mustUpdate(t, s, func(tx chime.Tx) error {
		return errors.Join(tx.InsertAccount(account("a1")), tx.InsertAccount(deleted),
			tx.InsertUser(user("a1", "u1", "u1@example.com")), tx.InsertUser(user("gone", "u2", "u2@example.com")))
	})
	tests := []struct {
		awsAccountID, accountID, userID string
		want                            error
	}{
		{"111122223333", "a1", "u1", nil},
		{"111122223333", "a1", "u2", chime.ErrNoRows},
		{"111122223333", "a1", "missing", chime.ErrNoRows},
		{"111122223333", "gone", "u2", chime.ErrNoAccount},
		{"111122223333", "missing", "u1", chime.ErrNoAccount},
		{"444455556666", "a1", "u1", chime.ErrNoAccount},
	}
	for _, tc := range tests {
		var u *chime.User
		err := s.Lookup(ctx, func(tx chime.Tx) error {
			var err error
			u, err = tx.GetLiveUser(tc.awsAccountID, tc.accountID, tc.userID)
			return err
		})
		if !errors.Is(err, tc.want) {
			t.Errorf("GetLiveUser(%s, %s, %s): error %v, want %v", tc.awsAccountID, tc.accountID, tc.userID, err, tc.want)
		}
		if tc.want == nil && (u == nil || u.UserID != tc.userID || u.Email != "u1@example.com") {
			t.Errorf("GetLiveUser(%s, %s, %s) = %+v", tc.awsAccountID, tc.accountID, tc.userID, u)
		}
	}
}

// Two user IDs that share the users table's key: the first 8 bytes of a
// UUID. The second is refused as ErrIDTaken, which changes nothing, and
// each ID finds its own user only.
func testUserIDTaken(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	const first, second = "aaaaaaaa-bbbb-4ccc-8000-000000000001", "aaaaaaaa-bbbb-4ccc-9000-000000000002"
	mustUpdate(t, s, func(tx chime.Tx) error {
		return errors.Join(tx.InsertAccount(account("a1")), tx.InsertUser(user("a1", first, "first@example.com")))
	})
	err := s.Update(ctx, func(tx chime.Tx) error {
		if err := tx.InsertUser(user("a1", second, "second@example.com")); !errors.Is(err, chime.ErrIDTaken) {
			return fmt.Errorf("insert of a user whose ID shares a key: %v, want ErrIDTaken", err)
		}
		_, err := tx.GetUser("a1", second)
		if !errors.Is(err, chime.ErrNoRows) {
			return fmt.Errorf("GetUser of the refused ID: %v, want ErrNoRows", err)
		}
		return tx.InsertUser(user("a1", "aaaaaaaa-bbbb-4ccd-9000-000000000002", "second@example.com"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Lookup(ctx, func(tx chime.Tx) error {
		u, err := tx.GetLiveUser("111122223333", "a1", first)
		if err == nil && u.Email != "first@example.com" {
			err = fmt.Errorf("GetLiveUser(%s) found %s", first, u.Email)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testLookupRunsOneReadingStatement: a Lookup has no transaction, so a
// second statement (which would read another state) or a write (which
// nothing would roll back) is refused loudly.
func testLookupRunsOneReadingStatement(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	mustUpdate(t, s, func(tx chime.Tx) error { return tx.InsertAccount(account("a1")) })
	tests := []struct {
		name string
		fn   func(tx chime.Tx) error
	}{
		{"two reads", func(tx chime.Tx) error {
			_, err := tx.GetAccount("111122223333", "a1")
			if err != nil {
				return err
			}
			_, err = tx.GetAccount("111122223333", "a1")
			return err
		}},
		{"a write", func(tx chime.Tx) error { return tx.SaveAccount(account("a1")) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Lookup did not refuse")
				}
			}()
			s.Lookup(ctx, tc.fn)
		})
	}
}

// testPanicRollsBack: a transaction whose fn panics is rolled back and gives
// its connection back, so the next write does not wait for it forever.
func testPanicRollsBack(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	func() {
		defer func() { recover() }()
		s.Update(ctx, func(tx chime.Tx) error {
			if err := tx.InsertAccount(account("a1")); err != nil {
				return err
			}
			panic("fn panicked")
		})
	}()
	timeout, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Update(timeout, func(tx chime.Tx) error { return tx.InsertAccount(account("a2")) }); err != nil {
		t.Fatalf("write after a panic: %v", err)
	}
	err := s.View(ctx, func(tx chime.Tx) error {
		_, err := tx.GetAccount("111122223333", "a1")
		return err
	})
	if !errors.Is(err, chime.ErrNoRows) {
		t.Fatalf("the panicked transaction's account: want ErrNoRows, got %v", err)
	}
}

// testLookupsGiveTheirConnectionBack: Lookups that succeed, find nothing,
// fail or panic, one after the other and many at once, each get a
// connection within a few seconds: none keeps one (a store has few).
func testLookupsGiveTheirConnectionBack(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	mustUpdate(t, s, func(tx chime.Tx) error {
		return errors.Join(tx.InsertAccount(account("a1")), tx.InsertUser(user("a1", "u1", "u1@example.com")))
	})
	lookup := func(i int) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		defer func() { recover() }()
		return s.Lookup(ctx, func(tx chime.Tx) error {
			switch i % 4 {
			case 0:
				_, err := tx.GetLiveUser("111122223333", "a1", "u1")
				return err
			case 1:
				_, err := tx.GetLiveUser("111122223333", "a1", "missing")
				return err
			case 2:
				_, err := tx.GetAccount("111122223333", "a1")
				return errors.Join(err, errors.New("fn failed"))
			default:
				panic("fn panicked")
			}
		})
	}
	for i := range 40 {
		if err := lookup(i); errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Lookup %d found no free connection: %v", i, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 32*8)
	for g := range 32 {
		wg.Go(func() {
			for i := range 8 {
				errs <- lookup(g + i)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a concurrent Lookup found no free connection: %v", err)
		}
	}
}

// testLookupAfterCloseFails: a Lookup on a closed store fails at once
// instead of waiting for a connection that will never come.
func testLookupAfterCloseFails(t *testing.T, open Open) {
	s, err := open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err = s.Lookup(ctx, func(tx chime.Tx) error {
		_, err := tx.GetAccount("111122223333", "a1")
		return err
	})
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, chime.ErrNoRows) {
		t.Fatalf("Lookup on a closed store: %v, want an error at once", err)
	}
}

// testDueBotEventsTakeTenantsInTurns queues many due events of one AWS
// account's bots before one of another's: the other's must be in the first
// batch, not wait behind them all.
func testDueBotEventsTakeTenantsInTurns(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	due := time.UnixMilli(1700000000000).UTC()
	queue := func(tx chime.Tx, aws, accountID, botID string, at time.Time) error {
		a := account(accountID)
		a.AwsAccountID = aws
		if err := tx.InsertAccount(a); err != nil && !errors.Is(err, chime.ErrNotUnique) {
			return err
		}
		b := &chime.Bot{AwsAccountID: aws, AccountID: accountID, BotID: botID, DisplayName: botID + " (Bot)",
			Email: botID + "@bots.example.com", CreatedAt: at}
		if err := tx.InsertBot(b); err != nil {
			return err
		}
		return tx.InsertBotEvent(&chime.BotEvent{EventID: "ev-" + botID, AwsAccountID: aws, AccountID: accountID, BotID: botID,
			RoomID: "room", EventType: "Invite", Payload: "{}", Status: chime.BotEventPending, CreatedAt: at, DueAt: at})
	}
	mustUpdate(t, s, func(tx chime.Tx) error {
		for i := range 20 {
			if err := queue(tx, "111111111111", "acct-busy", fmt.Sprintf("busy-%02d", i), due.Add(time.Duration(i)*time.Millisecond)); err != nil {
				return err
			}
		}
		return queue(tx, "222222222222", "acct-quiet", "quiet", due.Add(time.Second))
	})
	var got []string
	mustUpdate(t, s, func(tx chime.Tx) error {
		events, err := tx.DueBotEvents(due.Add(time.Minute), 4)
		for _, ev := range events {
			got = append(got, ev.BotID)
		}
		return err
	})
	if want := []string{"busy-00", "quiet", "busy-01", "busy-02"}; !slices.Equal(got, want) {
		t.Fatalf("due events of bots %v, want %v", got, want)
	}
}

// Calls one after the other can fall in one millisecond; the trail lists
// them in the order they were written, also across pages, whatever their
// (random) event IDs. A batch written again adds nothing.
func testAuditEventsOfOneMillisecondInWrittenOrder(t *testing.T, open Open) {
	s := handles(t, open, 1)[0].(chime.AuditStore)
	at := *model.TimeOf(time.UnixMilli(1700000000000))
	var written []string
	for batch := range 2 {
		var events []chime.AuditEvent
		for i := range 3 {
			id := fmt.Sprintf("event-%d", 9-3*batch-i)
			written = append(written, id)
			events = append(events, chime.AuditEvent{EventId: id, EventTime: at, AwsAccountId: "111122223333", Operation: "CreateUser"})
		}
		// Twice, as the recorder writes a batch again when the answer to
		// its commit was lost: the events are stored once.
		for range 2 {
			if err := s.InsertAuditEvents(ctx, events); err != nil {
				t.Fatal(err)
			}
		}
	}
	var listed []string
	f := chime.AuditFilter{Limit: 2}
	for range len(written) {
		page, err := s.ListAuditEvents(ctx, "111122223333", f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, ev := range page {
			listed = append(listed, ev.EventId)
		}
		f.After = sqlstore.AuditKey(page[len(page)-1])
	}
	if !slices.Equal(listed, written) {
		t.Fatalf("listed %v, want the written order %v", listed, written)
	}
}

// Pruning deletes the events from before the cut-off, of every AWS
// account, a batch at a time, and leaves the later ones.
func testPruneAuditEvents(t *testing.T, open Open) {
	s := handles(t, open, 1)[0].(chime.AuditStore)
	cut := time.UnixMilli(1700000000000)
	var events []chime.AuditEvent
	for i, at := range []time.Duration{-3 * time.Hour, -time.Minute, -time.Millisecond, 0, time.Hour} {
		for _, account := range []string{"111122223333", "444455556666"} {
			events = append(events, chime.AuditEvent{EventId: fmt.Sprintf("event-%d-%s", i, account), EventTime: *model.TimeOf(cut.Add(at)),
				AwsAccountId: account, Operation: "CreateUser"})
		}
	}
	if err := s.InsertAuditEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	var pruned []int
	for {
		n, err := s.PruneAuditEvents(ctx, cut, 4)
		if err != nil {
			t.Fatal(err)
		}
		pruned = append(pruned, n)
		if n == 0 {
			break
		}
	}
	if !slices.Equal(pruned, []int{4, 2, 0}) {
		t.Fatalf("batches of at most 4 pruned %v, want [4 2 0]: the 6 events before the cut-off", pruned)
	}
	for _, account := range []string{"111122223333", "444455556666"} {
		left, err := s.ListAuditEvents(ctx, account, chime.AuditFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 2 || !left[0].EventTime.Time.Equal(cut) {
			t.Fatalf("%s keeps %+v, want its events at and after the cut-off", account, left)
		}
	}
}

// A save of a phone number read before another save, and the completion of
// an order already completed, are refused as stale and change nothing: two
// instances must not both act on one record (on SQLite the single writer
// hides such a race; the check must hold all the same).
func testStaleSavesRefused(t *testing.T, open Open) {
	s := handles(t, open, 1)[0]
	const aws, e164 = "111122223333", "+12065550100"
	mustUpdate(t, s, func(tx chime.Tx) error {
		_, err := tx.ReservePhoneNumber(&chime.PhoneNumber{AwsAccountID: aws, E164: e164, Country: "US", Type: model.PhoneNumberTypeLocal,
			ProductType: model.PhoneNumberProductTypeVoiceConnector, Status: model.PhoneNumberStatusAcquireInProgress})
		return err
	})
	read := func() *chime.PhoneNumber {
		var n *chime.PhoneNumber
		if err := s.View(ctx, func(tx chime.Tx) (err error) { n, err = tx.GetPhoneNumber(aws, e164); return err }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	first, second := read(), read()
	first.Status = model.PhoneNumberStatusUnassigned
	mustUpdate(t, s, func(tx chime.Tx) error { return tx.SavePhoneNumber(first) })
	second.Status = model.PhoneNumberStatusAcquireFailed
	version := second.Version
	if err := s.Update(ctx, func(tx chime.Tx) error { return tx.SavePhoneNumber(second) }); !errors.Is(err, chime.ErrStale) || second.Version != version {
		t.Fatalf("save of a stale read: %v, version %d (read at %d), want ErrStale and the version as read", err, second.Version, version)
	}
	if got := read(); got.Status != model.PhoneNumberStatusUnassigned {
		t.Fatalf("after the stale save the number is %s, want the first save's Unassigned", got.Status)
	}

	created := time.UnixMilli(1700000000000).UTC()
	o := &chime.PhoneNumberOrder{AwsAccountID: aws, OrderID: "0b7e6a3c-4f2d-4c59-9a7e-2f1d3c4b5a69", Status: model.PhoneNumberOrderStatusProcessing,
		ProductType: model.PhoneNumberProductTypeVoiceConnector, DueAt: created, CreatedAt: created, UpdatedAt: created}
	mustUpdate(t, s, func(tx chime.Tx) error { return tx.InsertOrder(o) })
	o.Status = model.PhoneNumberOrderStatusSuccessful
	mustUpdate(t, s, func(tx chime.Tx) error { return tx.CompleteOrder(o) })
	o.Status = model.PhoneNumberOrderStatusFailed
	if err := s.Update(ctx, func(tx chime.Tx) error { return tx.CompleteOrder(o) }); !errors.Is(err, chime.ErrStale) {
		t.Fatalf("second completion of an order: %v, want ErrStale", err)
	}
	var got *chime.PhoneNumberOrder
	if err := s.View(ctx, func(tx chime.Tx) (err error) { got, err = tx.GetOrder(aws, o.OrderID); return err }); err != nil || got.Status != model.PhoneNumberOrderStatusSuccessful {
		t.Fatalf("order after the second completion: %+v %v, want Successful", got, err)
	}
}

// The test API's reset, snapshot and restore touch the caller's AWS account
// only: another's records, in the tables reached through its Chime accounts
// (invites) as in the others, are neither deleted by the reset, saved in the
// snapshot, nor put back by the restore, and its snapshot is not another's.
func testTestAPIKeepsToOneAWSAccount(t *testing.T, open Open) {
	db := handles(t, open, 1)[0].(*sqlstore.DB)
	const mine, theirs = "111122223333", "444455556666"
	a, b := account("a1"), account("b1")
	b.AwsAccountID = theirs
	mustUpdate(t, db, func(tx chime.Tx) error {
		for _, acct := range []*chime.Account{a, b} {
			if err := tx.InsertAccount(acct); err != nil {
				return err
			}
			if err := tx.InsertInvite(&chime.Invite{InviteID: "invite-" + acct.AccountID, AwsAccountID: acct.AwsAccountID,
				AccountID: acct.AccountID, Email: acct.AccountID + "@example.com", CreatedAt: acct.CreatedAt}); err != nil {
				return err
			}
		}
		return tx.InsertUser(user("a1", "0193a1b2-c3d4-7e5f-8a00-000000000001", "kept@example.com"))
	})
	// present says which of the two accounts' invites exist.
	present := func() (mineThere, theirsThere bool) {
		t.Helper()
		err := db.View(ctx, func(tx chime.Tx) error {
			for _, p := range []struct {
				id    string
				there *bool
			}{{"invite-a1", &mineThere}, {"invite-b1", &theirsThere}} {
				_, err := tx.GetInvite(p.id)
				if err != nil && !errors.Is(err, chime.ErrNoRows) {
					return err
				}
				*p.there = err == nil
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return mineThere, theirsThere
	}

	if err := db.SaveSnapshot(ctx, mine, "snap", time.UnixMilli(1700000000000)); err != nil {
		t.Fatal(err)
	}
	if err := db.ResetTenant(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if m, o := present(); m || !o {
		t.Fatalf("after the reset: my invite there %v, the other AWS account's %v; want false, true", m, o)
	}
	if err := db.RestoreSnapshot(ctx, theirs, "snap"); !errors.Is(err, chime.ErrNoRows) {
		t.Fatalf("another AWS account restored my snapshot: %v, want ErrNoRows", err)
	}
	if err := db.RestoreSnapshot(ctx, mine, "snap"); err != nil {
		t.Fatalf("restore beside another AWS account's records: %v", err)
	}
	if m, o := present(); !m || !o {
		t.Fatalf("after the restore: my invite there %v, the other AWS account's %v; want both", m, o)
	}
	// The restored user is found by its ID (its key is computed again).
	err := db.Lookup(ctx, func(tx chime.Tx) error {
		u, err := tx.GetLiveUser(mine, "a1", "0193a1b2-c3d4-7e5f-8a00-000000000001")
		if err == nil && u.Email != "kept@example.com" {
			err = fmt.Errorf("got %+v", u)
		}
		return err
	})
	if err != nil {
		t.Fatalf("the restored user: %v", err)
	}
}

// A server secret is made once: instances asking for it together, and any
// asking later (a restart), get the first one written, so that what one
// signed with it (a NextToken) another accepts.
func testSecretIsMadeOnce(t *testing.T, open Open) {
	stores := handles(t, open, 3)
	secrets := make([][]byte, len(stores))
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() { secrets[i], errs[i] = s.(*sqlstore.DB).Secret(ctx, "test-key") })
	}
	wg.Wait()
	for i, s := range stores {
		again, err := s.(*sqlstore.DB).Secret(ctx, "test-key")
		if errs[i] != nil || err != nil {
			t.Fatalf("store %d: %v, then %v", i, errs[i], err)
		}
		if len(secrets[i]) != 32 || string(secrets[i]) != string(secrets[0]) || string(again) != string(secrets[0]) {
			t.Fatalf("store %d got secret %x, then %x; store 0 got %x: want one secret of 32 bytes", i, secrets[i], again, secrets[0])
		}
	}
}
