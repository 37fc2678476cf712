package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
)

func TestSmokeCreateAndGetAccount(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	created, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("smoke")})
	noErr(t, err)
	got, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: created.Account.AccountId})
	noErr(t, err)
	if aws.ToString(got.Account.Name) != "smoke" || aws.ToString(got.Account.AwsAccountId) != accountA {
		t.Fatalf("got %+v", got.Account)
	}
	_, err = e.client(keyB).GetAccount(ctx, &chime.GetAccountInput{AccountId: created.Account.AccountId})
	wantError(t, err, "NotFoundException")
}
