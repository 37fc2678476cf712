package gov1

// Accounts, through the AWS SDK for Go v1: one test per operation, as
// clients/js/test/accounts.test.mjs.

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/chime"
)

func TestCreateAccount(t *testing.T) {
	c := newClient(t)
	name := unique("create")
	out, err := c.CreateAccount(&chime.CreateAccountInput{Name: aws.String(name)})
	must(t, err)
	account := out.Account
	equal(t, "Name", aws.StringValue(account.Name), name)
	equal(t, "AwsAccountId", aws.StringValue(account.AwsAccountId), awsAccountID)
	equal(t, "AccountType", aws.StringValue(account.AccountType), "Team")
	equal(t, "AccountStatus", aws.StringValue(account.AccountStatus), "Active")
	equal(t, "DefaultLicense", aws.StringValue(account.DefaultLicense), "Pro")
	licenses := aws.StringValueSlice(account.SupportedLicenses)
	slices.Sort(licenses)
	deepEqual(t, "SupportedLicenses", licenses, []string{"Basic", "Pro"})
	// The SDK parsed the ISO 8601 timestamp into a time.Time.
	check(t, isTime(account.CreatedTimestamp), "CreatedTimestamp %v", account.CreatedTimestamp)
	_, err = c.CreateAccount(&chime.CreateAccountInput{Name: aws.String("   ")})
	e := wantError[*chime.BadRequestException](t, err)
	check(t, regexp.MustCompile("Name").MatchString(e.Message()), "message %q does not name Name", e.Message())
}

func TestGetAccount(t *testing.T) {
	c := newClient(t)
	created := createAccount(t, c, "get")
	out, err := c.GetAccount(&chime.GetAccountInput{AccountId: created.AccountId})
	must(t, err)
	deepEqual(t, "account", out.Account, created)
	_, err = c.GetAccount(&chime.GetAccountInput{AccountId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestListAccounts(t *testing.T) {
	c := newClient(t)
	prefix := unique("list")
	var ids []string
	for i := range 3 {
		out, err := c.CreateAccount(&chime.CreateAccountInput{Name: aws.String(fmt.Sprintf("%s-%d", prefix, i))})
		must(t, err)
		ids = append(ids, aws.StringValue(out.Account.AccountId))
	}
	// The SDK's own paginator follows NextToken, one account a page.
	var listed []string
	pages := 0
	err := c.ListAccountsPages(&chime.ListAccountsInput{Name: aws.String(prefix), MaxResults: aws.Int64(1)},
		func(page *chime.ListAccountsOutput, _ bool) bool {
			listed = append(listed, accountIDs(page.Accounts)...)
			pages++
			return true
		})
	must(t, err)
	check(t, pages >= 3, "%d pages", pages)
	slices.Sort(listed)
	want := slices.Sorted(slices.Values(ids))
	deepEqual(t, "accounts", listed, want)
	user := createUser(t, c, ids[1], "member")
	found, err := c.ListAccounts(&chime.ListAccountsInput{UserEmail: user.PrimaryEmail})
	must(t, err)
	deepEqual(t, "accounts of the user", accountIDs(found.Accounts), []string{ids[1]})
	_, err = c.ListAccounts(&chime.ListAccountsInput{NextToken: aws.String("not-a-token")})
	e := wantError[*chime.BadRequestException](t, err)
	check(t, regexp.MustCompile("NextToken").MatchString(e.Message()), "message %q does not name NextToken", e.Message())
}

func accountIDs(accounts []*chime.Account) []string {
	ids := []string{}
	for _, a := range accounts {
		ids = append(ids, aws.StringValue(a.AccountId))
	}
	return ids
}

func TestUpdateAccount(t *testing.T) {
	c := newClient(t)
	account := createAccount(t, c, "update")
	name := unique("renamed")
	out, err := c.UpdateAccount(&chime.UpdateAccountInput{
		AccountId: account.AccountId, Name: aws.String(name), DefaultLicense: aws.String("Basic"),
	})
	must(t, err)
	equal(t, "Name", aws.StringValue(out.Account.Name), name)
	equal(t, "DefaultLicense", aws.StringValue(out.Account.DefaultLicense), "Basic")
	// A Team account supports Basic and Pro only.
	_, err = c.UpdateAccount(&chime.UpdateAccountInput{AccountId: account.AccountId, DefaultLicense: aws.String("Plus")})
	wantError[*chime.BadRequestException](t, err)
}

func TestDeleteAccount(t *testing.T) {
	c := newClient(t)
	account := createAccount(t, c, "delete")
	user := createUser(t, c, aws.StringValue(account.AccountId), "blocker")
	// A Team account's users must be suspended (removed) first.
	_, err := c.DeleteAccount(&chime.DeleteAccountInput{AccountId: account.AccountId})
	wantError[*chime.UnprocessableEntityException](t, err)
	_, err = c.BatchSuspendUser(&chime.BatchSuspendUserInput{AccountId: account.AccountId, UserIdList: []*string{user.UserId}})
	must(t, err)
	req, _ := c.DeleteAccountRequest(&chime.DeleteAccountInput{AccountId: account.AccountId})
	equal(t, "HTTP status", send(t, req), 204)
	listed, err := c.ListAccounts(&chime.ListAccountsInput{Name: account.Name})
	must(t, err)
	deepEqual(t, "accounts listed", accountIDs(listed.Accounts), []string{})
	got, err := c.GetAccount(&chime.GetAccountInput{AccountId: account.AccountId})
	must(t, err)
	equal(t, "AccountStatus", aws.StringValue(got.Account.AccountStatus), "Suspended")
	_, err = c.DeleteAccount(&chime.DeleteAccountInput{AccountId: account.AccountId})
	wantError[*chime.NotFoundException](t, err)
}

func TestGetAccountSettings(t *testing.T) {
	c := newClient(t)
	account := createAccount(t, c, "settings")
	out, err := c.GetAccountSettings(&chime.GetAccountSettingsInput{AccountId: account.AccountId})
	must(t, err)
	settings := out.AccountSettings
	check(t, settings != nil && settings.DisableRemoteControl != nil && settings.EnableDialOut != nil,
		"AccountSettings %v", settings)
	_, err = c.GetAccountSettings(&chime.GetAccountSettingsInput{AccountId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestUpdateAccountSettings(t *testing.T) {
	c := newClient(t)
	account := createAccount(t, c, "settings")
	before, err := c.GetAccountSettings(&chime.GetAccountSettingsInput{AccountId: account.AccountId})
	must(t, err)
	dialOut := !aws.BoolValue(before.AccountSettings.EnableDialOut)
	req, _ := c.UpdateAccountSettingsRequest(&chime.UpdateAccountSettingsInput{
		AccountId:       account.AccountId,
		AccountSettings: &chime.AccountSettings{EnableDialOut: aws.Bool(dialOut)},
	})
	equal(t, "HTTP status", send(t, req), 204)
	after, err := c.GetAccountSettings(&chime.GetAccountSettingsInput{AccountId: account.AccountId})
	must(t, err)
	equal(t, "EnableDialOut", aws.BoolValue(after.AccountSettings.EnableDialOut), dialOut)
	equal(t, "DisableRemoteControl", aws.BoolValue(after.AccountSettings.DisableRemoteControl),
		aws.BoolValue(before.AccountSettings.DisableRemoteControl))
}

func groupNames(groups []*chime.SigninDelegateGroup) []string {
	names := []string{}
	for _, g := range groups {
		names = append(names, aws.StringValue(g.GroupName))
	}
	return names
}

func TestAssociateSigninDelegateGroupsWithAccount(t *testing.T) {
	c := newClient(t)
	accountID, _ := createEnterpriseAccount(t, c, "EnterpriseDirectory")
	_, err := c.AssociateSigninDelegateGroupsWithAccount(&chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId:            aws.String(accountID),
		SigninDelegateGroups: []*chime.SigninDelegateGroup{{GroupName: aws.String("engineering")}},
	})
	must(t, err)
	got, err := c.GetAccount(&chime.GetAccountInput{AccountId: aws.String(accountID)})
	must(t, err)
	deepEqual(t, "SigninDelegateGroups", groupNames(got.Account.SigninDelegateGroups), []string{"engineering"})
	// Delegate groups are Active Directory groups: a Team account has none.
	team := createAccount(t, c, "team")
	_, err = c.AssociateSigninDelegateGroupsWithAccount(&chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId:            team.AccountId,
		SigninDelegateGroups: []*chime.SigninDelegateGroup{{GroupName: aws.String("x")}},
	})
	wantError[*chime.ForbiddenException](t, err)
}

func TestDisassociateSigninDelegateGroupsFromAccount(t *testing.T) {
	c := newClient(t)
	accountID, _ := createEnterpriseAccount(t, c, "EnterpriseDirectory")
	_, err := c.AssociateSigninDelegateGroupsWithAccount(&chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId: aws.String(accountID),
		SigninDelegateGroups: []*chime.SigninDelegateGroup{
			{GroupName: aws.String("a")}, {GroupName: aws.String("b")},
		},
	})
	must(t, err)
	_, err = c.DisassociateSigninDelegateGroupsFromAccount(&chime.DisassociateSigninDelegateGroupsFromAccountInput{
		AccountId: aws.String(accountID), GroupNames: aws.StringSlice([]string{"a"}),
	})
	must(t, err)
	got, err := c.GetAccount(&chime.GetAccountInput{AccountId: aws.String(accountID)})
	must(t, err)
	deepEqual(t, "SigninDelegateGroups", groupNames(got.Account.SigninDelegateGroups), []string{"b"})
	_, err = c.DisassociateSigninDelegateGroupsFromAccount(&chime.DisassociateSigninDelegateGroupsFromAccountInput{
		AccountId: aws.String(unknown), GroupNames: aws.StringSlice([]string{"a"}),
	})
	wantError[*chime.NotFoundException](t, err)
}
