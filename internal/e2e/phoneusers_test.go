package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// newPhoneUser creates a Team account with one user.
func newPhoneUser(t *testing.T, c *chime.Client, email string) (accountID, userID *string) {
	t.Helper()
	a := createTeamAccount(t, c, "phones "+email)
	return a.AccountId, createUserIn(t, c, a.AccountId, email).UserId
}

func associate(c *chime.Client, accountID, userID *string, number string) error {
	_, err := c.AssociatePhoneNumberWithUser(ctx, &chime.AssociatePhoneNumberWithUserInput{AccountId: accountID, UserId: userID, E164PhoneNumber: aws.String(number)})
	return err
}

func TestAssociateAndDisassociate(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	numbers := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 2)
	accountID, userID := newPhoneUser(t, a, "ada@example.com")
	clock := e.clock.Now()

	noErr(t, associate(a, accountID, userID, numbers[0]))
	p := getNumber(t, a, numbers[0])
	if p.Status != types.PhoneNumberStatusAssigned || len(p.Associations) != 2 {
		t.Fatalf("associated number %+v", p)
	}
	want := map[types.PhoneNumberAssociationName]string{
		types.PhoneNumberAssociationNameAccountId: aws.ToString(accountID),
		types.PhoneNumberAssociationNameUserId:    aws.ToString(userID),
	}
	for _, as := range p.Associations {
		if aws.ToString(as.Value) != want[as.Name] || as.AssociatedTimestamp == nil || as.AssociatedTimestamp.Before(clock.Add(-time.Second)) {
			t.Fatalf("association %+v", as)
		}
	}
	if u := getUser(t, a, accountID, userID); aws.ToString(u.PrimaryProvisionedNumber) != numbers[0] {
		t.Fatalf("user's PrimaryProvisionedNumber is %q", aws.ToString(u.PrimaryProvisionedNumber))
	}
	// Again with the same number: nothing changes.
	noErr(t, associate(a, accountID, userID, numbers[0]))

	_, err := a.DisassociatePhoneNumberFromUser(ctx, &chime.DisassociatePhoneNumberFromUserInput{AccountId: accountID, UserId: userID})
	noErr(t, err)
	if p := getNumber(t, a, numbers[0]); p.Status != types.PhoneNumberStatusUnassigned || len(p.Associations) != 0 {
		t.Fatalf("disassociated number %+v", p)
	}
	if u := getUser(t, a, accountID, userID); u.PrimaryProvisionedNumber != nil {
		t.Fatalf("user still has %q", aws.ToString(u.PrimaryProvisionedNumber))
	}
	// Again (an SDK's retry): the user has no number, as asked.
	_, err = a.DisassociatePhoneNumberFromUser(ctx, &chime.DisassociatePhoneNumberFromUserInput{AccountId: accountID, UserId: userID})
	noErr(t, err)
}

func TestAssociateRefusals(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	business := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 3)
	voice := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "425", 1)
	theirs := e.acquire(t, keyB, types.PhoneNumberProductTypeBusinessCalling, "503", 1)
	pending := search(t, a, "360", 1)
	order(t, a, types.PhoneNumberProductTypeBusinessCalling, pending...)
	deleted := business[2]
	_, err := a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(deleted)})
	noErr(t, err)

	accountID, ada := newPhoneUser(t, a, "ada@example.com")
	grace := createUserIn(t, a, accountID, "grace@example.com").UserId
	noErr(t, associate(a, accountID, ada, business[0]))
	tests := []struct {
		name    string
		user    *string
		account *string
		number  string
		want    string
	}{
		{"user already has a number", ada, accountID, business[1], "BadRequestException"},
		{"number is someone else's", grace, accountID, business[0], "BadRequestException"},
		{"not BusinessCalling", grace, accountID, voice[0], "BadRequestException"},
		{"still being acquired", grace, accountID, pending[0], "BadRequestException"},
		{"in the deletion queue", grace, accountID, deleted, "BadRequestException"},
		{"another AWS account's number", grace, accountID, theirs[0], "NotFoundException"},
		{"unknown user", aws.String("00000000-0000-4000-8000-000000000000"), accountID, business[1], "NotFoundException"},
		{"not E.164", grace, accountID, "2065550100x", "BadRequestException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, associate(a, tt.account, tt.user, tt.number), tt.want)
		})
	}
	// Another AWS account cannot use the caller's users.
	wantError(t, associate(e.client(keyB), accountID, grace, theirs[0]), "NotFoundException")
}

// A user removed from a Team account gives their number back.
func TestRemovedUserReleasesNumber(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	n := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 1)[0]
	accountID, userID := newPhoneUser(t, a, "leaver@example.com")
	noErr(t, associate(a, accountID, userID, n))

	out, err := a.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: accountID, UserIdList: []string{aws.ToString(userID)}})
	noErr(t, err)
	if len(out.UserErrors) != 0 {
		t.Fatalf("errors %+v", out.UserErrors)
	}
	if p := getNumber(t, a, n); p.Status != types.PhoneNumberStatusUnassigned || len(p.Associations) != 0 {
		t.Fatalf("number of a removed user %+v", p)
	}
	// Free again, it can be given to someone else.
	accountID2, userID2 := newPhoneUser(t, a, "second@example.com")
	noErr(t, associate(a, accountID2, userID2, n))
}

// Suspending an EnterpriseLWA user, or releasing the account's domain (which
// suspends everyone), releases their numbers; unsuspending does not give them
// back.
func TestSuspendedUsersReleaseNumbers(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	numbers := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 2)
	accountID := aws.String(e.createEnterpriseAccount(t, keyA, "EnterpriseLWA", "phones.example.com"))
	ada := createUserIn(t, a, accountID, "ada@phones.example.com").UserId
	grace := createUserIn(t, a, accountID, "grace@phones.example.com").UserId
	noErr(t, associate(a, accountID, ada, numbers[0]))
	noErr(t, associate(a, accountID, grace, numbers[1]))

	_, err := a.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: accountID, UserIdList: []string{aws.ToString(ada)}})
	noErr(t, err)
	if p := getNumber(t, a, numbers[0]); p.Status != types.PhoneNumberStatusUnassigned {
		t.Fatalf("number of a suspended user is %s", p.Status)
	}
	if u := getUser(t, a, accountID, ada); u.PrimaryProvisionedNumber != nil {
		t.Fatalf("suspended user keeps %q", aws.ToString(u.PrimaryProvisionedNumber))
	}
	wantError(t, associate(a, accountID, ada, numbers[0]), "BadRequestException")
	_, err = a.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: accountID, UserIdList: []string{aws.ToString(ada)}})
	noErr(t, err)
	if u := getUser(t, a, accountID, ada); u.PrimaryProvisionedNumber != nil {
		t.Fatalf("unsuspended user got %q back", aws.ToString(u.PrimaryProvisionedNumber))
	}

	wantStatus(t, e.releaseDomainHTTP(t, keyA, aws.ToString(accountID), "phones.example.com"), 204)
	if p := getNumber(t, a, numbers[1]); p.Status != types.PhoneNumberStatusUnassigned {
		t.Fatalf("number of a user suspended by a domain release is %s", p.Status)
	}

	// A user created after the release, and given a number, is suspended
	// when the account is deleted, and the number is free again: a deleted
	// account's users can neither use a number nor give it back.
	late := createUserIn(t, a, accountID, "late@phones.example.com").UserId
	noErr(t, associate(a, accountID, late, numbers[1]))
	_, err = a.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: accountID})
	noErr(t, err)
	if p := getNumber(t, a, numbers[1]); p.Status != types.PhoneNumberStatusUnassigned || len(p.Associations) != 0 {
		t.Fatalf("number of a deleted account's user %+v", p)
	}
	_, err = a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(numbers[1])})
	noErr(t, err)
}

// A number taken back from its user is no longer listed as the account's.
func TestDisassociatedNumberLeavesTheAccountFilter(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	numbers := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 1)
	accountID, userID := newPhoneUser(t, a, "ada@example.com")
	byAccount := func() []types.PhoneNumber {
		out, err := a.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{FilterName: types.PhoneNumberAssociationNameAccountId, FilterValue: accountID})
		noErr(t, err)
		return out.PhoneNumbers
	}
	noErr(t, associate(a, accountID, userID, numbers[0]))
	if got := byAccount(); len(got) != 1 || aws.ToString(got[0].E164PhoneNumber) != numbers[0] {
		t.Fatalf("the account's numbers while associated: %+v", got)
	}
	_, err := a.DisassociatePhoneNumberFromUser(ctx, &chime.DisassociatePhoneNumberFromUserInput{AccountId: accountID, UserId: userID})
	noErr(t, err)
	if got := byAccount(); len(got) != 0 {
		t.Fatalf("the account's numbers after disassociating: %+v", got)
	}
}
