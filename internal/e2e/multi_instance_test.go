package e2e

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/server"
	"github.com/chimed/chimed/internal/store/postgres/pgtest"
)

// startPair runs two chimed servers on one fresh PostgreSQL database with
// one clock, as two instances behind a load balancer; opts adjust both
// configurations.
func startPair(t *testing.T, opts ...func(*server.Config)) (*env, *env) {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	onDSN := func(c *server.Config) { c.DB = dsn }
	first := start(t, append(slices.Clone(opts), onDSN)...)
	second := start(t, append(slices.Clone(opts), onDSN, func(c *server.Config) { c.Now = first.clock.Now })...)
	// The one clock is first's: second.runJobs moves it too.
	second.clock = first.clock
	return first, second
}

// raceDuplicateCreates sends 8 concurrent CreateUsers of one email, split
// across clients: exactly one must succeed, every other with a
// ConflictException.
func raceDuplicateCreates(t *testing.T, clients []*chime.Client, accountID *string, email string) {
	t.Helper()
	const racers = 8
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			_, errs[i] = clients[i%len(clients)].CreateUser(ctx, &chime.CreateUserInput{
				AccountId: accountID,
				Email:     aws.String(email),
				Username:  aws.String(fmt.Sprintf("racer%d", i)),
				UserType:  types.UserTypePrivateUser,
			})
		})
	}
	wg.Wait()
	if won := winners(t, errs, "ConflictException"); won != 1 {
		t.Fatalf("%d of %d creates succeeded, want 1", won, racers)
	}
}

// runOnBoth runs a background job three rounds on both instances at once,
// and returns what each run did and the sum.
func runOnBoth(t *testing.T, one, two *env, job func(*chimed.Service, context.Context) (int, error)) ([]int, int) {
	t.Helper()
	services := []*chimed.Service{one.srv.Service, two.srv.Service}
	const runs = 6
	counts := make([]int, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() { counts[i], errs[i] = job(services[i%2], ctx) })
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		noErr(t, err)
		total += counts[i]
	}
	return counts, total
}

func TestTwoInstancesWriteOnOneReadOnOther(t *testing.T) {
	one, two := startPair(t)
	created, err := one.client(keyA).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("shared")})
	noErr(t, err)
	id := created.Account.AccountId
	got, err := two.client(keyA).GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
	noErr(t, err)
	if aws.ToString(got.Account.Name) != "shared" {
		t.Fatalf("second instance read %+v", got.Account)
	}
	_, err = two.client(keyA).UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: id, Name: aws.String("renamed")})
	noErr(t, err)
	got, err = one.client(keyA).GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
	noErr(t, err)
	if aws.ToString(got.Account.Name) != "renamed" {
		t.Fatalf("first instance read %+v after an update through the second", got.Account)
	}
	_, err = two.client(keyB).GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
	wantError(t, err, "NotFoundException")
}

// Creates of one email split across both instances: exactly one user, and a
// ConflictException for every other request.
func TestTwoInstancesConcurrentDuplicateEmail(t *testing.T) {
	one, two := startPair(t)
	clients := []*chime.Client{one.client(keyA), two.client(keyA)}
	created, err := clients[0].CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("race")})
	noErr(t, err)
	id := created.Account.AccountId

	raceDuplicateCreates(t, clients, id, "same@example.com")
	for i, c := range clients {
		users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: id})
		noErr(t, err)
		if len(users.Users) != 1 || aws.ToString(users.Users[0].PrimaryEmail) != "same@example.com" {
			t.Fatalf("instance %d lists %d users, want the one", i+1, len(users.Users))
		}
	}
	var rows int
	noErr(t, one.rawDatabase(t).QueryRow(`SELECT COUNT(*) FROM users WHERE email_key = $1`, "same@example.com").Scan(&rows))
	if rows != 1 {
		t.Fatalf("the database holds %d users with the email, want 1", rows)
	}
}

// The purge of deleted accounts, run by both instances at the same moment,
// removes each account once: one instance purges it, the other finds nothing
// left to do.
func TestTwoInstancesBackgroundJobRunsOnce(t *testing.T) {
	one, two := startPair(t)
	c := one.client(keyA)
	const accounts = 3
	var ids []*string
	for i := range accounts {
		created, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(fmt.Sprintf("doomed%d", i))})
		noErr(t, err)
		_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: created.Account.AccountId})
		noErr(t, err)
		ids = append(ids, created.Account.AccountId)
	}
	one.clock.Advance(chimed.DeletedAccountRetention + time.Hour)

	counts, total := runOnBoth(t, one, two, (*chimed.Service).PurgeDeletedAccounts)
	if total != accounts {
		t.Fatalf("the instances purged %v accounts, %d in all, want %d", counts, total, accounts)
	}
	for _, id := range ids {
		_, err := two.client(keyA).GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
		wantError(t, err, "NotFoundException")
	}
}

// Two chimed processes, started from the built binary on one database, serve
// one state: a write through either is read through the other, and racing
// duplicate creates split across them make one user.
func TestTwoProcessesOneDatabase(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	bin := buildChimed(t)
	creds := keyACredentials(t, t.TempDir())
	args := []string{"--addr", "127.0.0.1:0", "--db", dsn, "--credentials", creds}
	clients := []*chime.Client{runChimed(t, bin, args, nil).client(), runChimed(t, bin, args, nil).client()}

	created, err := clients[0].CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("two-processes")})
	noErr(t, err)
	id := created.Account.AccountId
	got, err := clients[1].GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
	noErr(t, err)
	if aws.ToString(got.Account.Name) != "two-processes" {
		t.Fatalf("second process read %+v", got.Account)
	}

	raceDuplicateCreates(t, clients, id, "dup@example.com")
	users, err := clients[1].ListUsers(ctx, &chime.ListUsersInput{AccountId: id})
	noErr(t, err)
	if len(users.Users) != 1 {
		t.Fatalf("%d users, want 1", len(users.Users))
	}
}
