package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// TestTenancy checks that another AWS account's Chime accounts and users do
// not exist for a caller: every read and write of them is NotFound, they are
// never listed, and the owner's data is untouched afterwards.
func TestTenancy(t *testing.T) {
	e := start(t)
	a, b := e.client(keyA), e.client(keyB)
	acct := createTeamAccount(t, a, "tenant A")
	user := createUserIn(t, a, acct.AccountId, "alice@example.com")
	aid, uid := acct.AccountId, user.UserId
	telephony := &types.UserSettings{Telephony: &types.TelephonySettings{
		InboundCalling: aws.Bool(false), OutboundCalling: aws.Bool(false), SMS: aws.Bool(false)}}

	calls := []struct {
		name string
		call func() error
	}{
		{"GetAccount", func() error { _, err := b.GetAccount(ctx, &chime.GetAccountInput{AccountId: aid}); return err }},
		{"UpdateAccount", func() error {
			_, err := b.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: aid, Name: aws.String("stolen")})
			return err
		}},
		{"DeleteAccount", func() error { _, err := b.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aid}); return err }},
		{"GetAccountSettings", func() error {
			_, err := b.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: aid})
			return err
		}},
		{"UpdateAccountSettings", func() error {
			_, err := b.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: aid,
				AccountSettings: &types.AccountSettings{DisableRemoteControl: aws.Bool(true)}})
			return err
		}},
		{"AssociateSigninDelegateGroupsWithAccount", func() error {
			_, err := b.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{AccountId: aid,
				SigninDelegateGroups: []types.SigninDelegateGroup{{GroupName: aws.String("g")}}})
			return err
		}},
		{"DisassociateSigninDelegateGroupsFromAccount", func() error {
			_, err := b.DisassociateSigninDelegateGroupsFromAccount(ctx, &chime.DisassociateSigninDelegateGroupsFromAccountInput{AccountId: aid,
				GroupNames: []string{"g"}})
			return err
		}},
		{"CreateUser", func() error {
			_, err := b.CreateUser(ctx, &chime.CreateUserInput{AccountId: aid, Email: aws.String("mallory@example.com")})
			return err
		}},
		{"GetUser", func() error { _, err := b.GetUser(ctx, &chime.GetUserInput{AccountId: aid, UserId: uid}); return err }},
		{"ListUsers", func() error { _, err := b.ListUsers(ctx, &chime.ListUsersInput{AccountId: aid}); return err }},
		{"UpdateUser", func() error {
			_, err := b.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: aid, UserId: uid, LicenseType: types.LicenseBasic})
			return err
		}},
		{"BatchUpdateUser", func() error {
			_, err := b.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: aid,
				UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: uid, LicenseType: types.LicenseBasic}}})
			return err
		}},
		{"InviteUsers", func() error {
			_, err := b.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: aid, UserEmailList: []string{"mallory@example.com"}})
			return err
		}},
		{"BatchSuspendUser", func() error {
			_, err := b.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: aid, UserIdList: []string{aws.ToString(uid)}})
			return err
		}},
		{"BatchUnsuspendUser", func() error {
			_, err := b.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: aid, UserIdList: []string{aws.ToString(uid)}})
			return err
		}},
		{"ResetPersonalPIN", func() error {
			_, err := b.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: aid, UserId: uid})
			return err
		}},
		{"LogoutUser", func() error {
			_, err := b.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: aid, UserId: uid})
			return err
		}},
		{"GetUserSettings", func() error {
			_, err := b.GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: aid, UserId: uid})
			return err
		}},
		{"UpdateUserSettings", func() error {
			_, err := b.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: aid, UserId: uid, UserSettings: telephony})
			return err
		}},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) { wantError(t, tt.call(), "NotFoundException") })
	}
	if r := e.claimDomainHTTP(t, keyB, aws.ToString(aid), "stolen.example.com", "EnterpriseLWA"); r.errorType() != "NotFoundException" {
		t.Errorf("claiming a domain for another tenant's account: %v", r)
	}

	// B lists nothing of A's, by name or by A's user's email.
	for _, in := range []*chime.ListAccountsInput{{}, {Name: aws.String("tenant")}, {UserEmail: aws.String("alice@example.com")}} {
		out, err := b.ListAccounts(ctx, in)
		noErr(t, err)
		if len(out.Accounts) != 0 {
			t.Errorf("B lists A's accounts %q", accountNames(out.Accounts))
		}
	}

	// A's account and user are as they were.
	got, err := a.GetAccount(ctx, &chime.GetAccountInput{AccountId: aid})
	noErr(t, err)
	if aws.ToString(got.Account.Name) != "tenant A" || got.Account.AccountStatus != types.AccountStatusActive || got.Account.AccountType != types.AccountTypeTeam {
		t.Errorf("A's account is now %s, %s, %s", aws.ToString(got.Account.Name), got.Account.AccountStatus, got.Account.AccountType)
	}
	settings, err := a.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: aid})
	noErr(t, err)
	if aws.ToBool(settings.AccountSettings.DisableRemoteControl) {
		t.Error("B changed A's account settings")
	}
	u := getUser(t, a, aid, uid)
	if u.LicenseType != types.LicensePro || u.UserRegistrationStatus != types.RegistrationStatusRegistered ||
		aws.ToString(u.PersonalPIN) != aws.ToString(user.PersonalPIN) {
		t.Errorf("A's user is now %s, %s, PIN changed %v", u.LicenseType, u.UserRegistrationStatus, aws.ToString(u.PersonalPIN) != aws.ToString(user.PersonalPIN))
	}
	us, err := a.GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: aid, UserId: uid})
	noErr(t, err)
	if !aws.ToBool(us.UserSettings.Telephony.InboundCalling) {
		t.Error("B changed A's user settings")
	}
	users, err := a.ListUsers(ctx, &chime.ListUsersInput{AccountId: aid})
	noErr(t, err)
	if len(users.Users) != 1 {
		t.Errorf("A's account has %d users, want 1", len(users.Users))
	}

	// Emails are unique per AWS account, not across them: B may have its own
	// alice@example.com, which A does not see.
	bAcct := createTeamAccount(t, b, "tenant B")
	createUserIn(t, b, bAcct.AccountId, "Alice@Example.com")
	mine, err := a.ListAccounts(ctx, &chime.ListAccountsInput{UserEmail: aws.String("alice@example.com")})
	noErr(t, err)
	if len(mine.Accounts) != 1 || aws.ToString(mine.Accounts[0].AccountId) != aws.ToString(aid) {
		t.Errorf("A's ListAccounts by email found %q", accountNames(mine.Accounts))
	}
}
