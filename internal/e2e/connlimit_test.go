package e2e

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/server"
)

// TestSDKWorksUnderConnectionCap runs 8 SDK clients at once, each with its
// own connection pool, against a server that serves 2 connections: every
// call succeeds, with the SDK's default retries (a connection the server
// closed while idle is one the SDK retries on a new one).
func TestSDKWorksUnderConnectionCap(t *testing.T) {
	e := start(t, func(cfg *server.Config) { cfg.MaxConnections = 2 })
	acct, err := e.client(keyA).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("capped")})
	noErr(t, err)
	const clients, calls = 8, 20
	errs := make(chan error, clients*calls)
	var wg sync.WaitGroup
	for i := range clients {
		c := chime.New(chime.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String(e.srv.URL),
			Credentials:  credentials.NewStaticCredentialsProvider(keyA, secret, ""),
		})
		wg.Go(func() {
			for j := range calls {
				if j%2 == 0 {
					_, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: acct.Account.AccountId})
					errs <- err
					continue
				}
				_, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: acct.Account.AccountId, Email: aws.String(fmt.Sprintf("u%d-%d@example.com", i, j))})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, err)
	}
	users, err := e.client(keyA).ListUsers(ctx, &chime.ListUsersInput{AccountId: acct.Account.AccountId, MaxResults: aws.Int32(200)})
	noErr(t, err)
	if len(users.Users) != clients*calls/2 {
		t.Fatalf("%d users, want %d", len(users.Users), clients*calls/2)
	}
}
