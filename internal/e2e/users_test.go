package e2e

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

var pinPattern = regexp.MustCompile(`^[0-9]{10}$`)

// createUserIn creates a user with the given email in the account.
func createUserIn(t *testing.T, c *chime.Client, accountID *string, email string) *types.User {
	t.Helper()
	out, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: accountID, Email: aws.String(email)})
	noErr(t, err)
	return out.User
}

func getUser(t *testing.T, c *chime.Client, accountID, userID *string) *types.User {
	t.Helper()
	out, err := c.GetUser(ctx, &chime.GetUserInput{AccountId: accountID, UserId: userID})
	noErr(t, err)
	return out.User
}

func TestCreateAndGetUser(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "users")
	before := time.Now().Add(-time.Second)

	created, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: acct.AccountId,
		Email: aws.String("Jane.Doe@Example.com"), Username: aws.String("jane"), UserType: types.UserTypeSharedDevice})
	noErr(t, err)
	got := getUser(t, c, acct.AccountId, created.User.UserId)
	for _, u := range []*types.User{created.User, got} {
		if !userIDPattern.MatchString(aws.ToString(u.UserId)) || aws.ToString(u.AccountId) != aws.ToString(acct.AccountId) {
			t.Errorf("UserId %q, AccountId %q", aws.ToString(u.UserId), aws.ToString(u.AccountId))
		}
		if aws.ToString(u.PrimaryEmail) != "Jane.Doe@Example.com" || aws.ToString(u.DisplayName) != "jane" {
			t.Errorf("PrimaryEmail %q, DisplayName %q", aws.ToString(u.PrimaryEmail), aws.ToString(u.DisplayName))
		}
		if u.UserType != types.UserTypeSharedDevice || u.LicenseType != types.LicensePro {
			t.Errorf("UserType %s, LicenseType %s; want SharedDevice and the account's default Pro", u.UserType, u.LicenseType)
		}
		if u.UserRegistrationStatus != types.RegistrationStatusRegistered || !pinPattern.MatchString(aws.ToString(u.PersonalPIN)) {
			t.Errorf("UserRegistrationStatus %s, PersonalPIN %q", u.UserRegistrationStatus, aws.ToString(u.PersonalPIN))
		}
		if ts := aws.ToTime(u.RegisteredOn); ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
			t.Errorf("RegisteredOn %v is not the time of the call", ts)
		}
	}
	if aws.ToString(got.PersonalPIN) != aws.ToString(created.User.PersonalPIN) {
		t.Errorf("PersonalPIN changed from %s to %s without a reset", aws.ToString(created.User.PersonalPIN), aws.ToString(got.PersonalPIN))
	}
	plain := createUserIn(t, c, acct.AccountId, "plain@example.com")
	if plain.UserType != types.UserTypePrivateUser {
		t.Errorf("default UserType %s, want PrivateUser", plain.UserType)
	}

	// One email is one person across the AWS account's Chime accounts;
	// emails compare case-insensitively.
	other := createTeamAccount(t, c, "other")
	for _, tt := range []struct{ name, account, email string }{
		{"same account", aws.ToString(acct.AccountId), "jane.doe@example.com"},
		{"another account", aws.ToString(other.AccountId), "JANE.DOE@EXAMPLE.COM"},
	} {
		_, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(tt.account), Email: aws.String(tt.email)})
		wantError(t, err, "ConflictException")
	}

	_, err = c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String("no-such-account"), Email: aws.String("x@example.com")})
	wantError(t, err, "NotFoundException")
	_, err = c.GetUser(ctx, &chime.GetUserInput{AccountId: acct.AccountId, UserId: aws.String("no-such-user")})
	wantError(t, err, "NotFoundException")
	// A user is found only under its own account.
	_, err = c.GetUser(ctx, &chime.GetUserInput{AccountId: other.AccountId, UserId: created.User.UserId})
	wantError(t, err, "NotFoundException")
}

// An email address has at most 254 bytes (RFC 5321). Without the limit a
// long, incompressible address overflowed PostgreSQL's index on emails: a
// 500 there, while SQLite stored it.
func TestEmailAddressesAtMost254Bytes(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "long emails").AccountId
	address := func(n int) string {
		var local strings.Builder
		for i := 0; local.Len() < n-len("@example.com"); i++ {
			fmt.Fprintf(&local, "%x", sha256.Sum256([]byte{byte(i), byte(i >> 8)}))
		}
		return local.String()[:n-len("@example.com")] + "@example.com"
	}
	_, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: acct, Email: aws.String(address(254))})
	noErr(t, err)
	for _, n := range []int{255, 2048} {
		_, err = c.CreateUser(ctx, &chime.CreateUserInput{AccountId: acct, Email: aws.String(address(n))})
		wantErrorMessage(t, err, "BadRequestException", "Email: an email address has at most 254 bytes")
		_, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acct, UserEmailList: []string{"fine@example.com", address(n)}})
		wantErrorMessage(t, err, "BadRequestException", "UserEmailList[1]: an email address has at most 254 bytes")
	}
	users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acct})
	noErr(t, err)
	if len(users.Users) != 1 {
		t.Fatalf("%d users after the refusals, want the one of 254 bytes", len(users.Users))
	}
}

// An address with white space in it (" ana@example.com ", pasted from a
// list), or a character that shows nothing (a CSV export's byte-order mark,
// a zero-width space, a soft hyphen), is no address a person has: kept as
// given, it would make a second user of someone already there.
func TestEmailAddressesWithoutWhiteSpace(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "spaced emails").AccountId
	createUserIn(t, c, acct, "ana@example.com")
	for _, address := range []string{" ana@example.com", "ana@example.com ", "ana @example.com", "ana@example.com\t",
		"\ufeffana@example.com", "ana@example.com\u200b", "ana\u2060@example.com", "ana@exam\u00adple.com", "ana\x01@example.com"} {
		_, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: acct, Email: aws.String(address)})
		wantErrorMessage(t, err, "BadRequestException", "Email: an email address has no white space")
		_, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acct, UserEmailList: []string{"fine@example.com", address}})
		wantErrorMessage(t, err, "BadRequestException", "UserEmailList[1]: an email address has no white space")
	}
	users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acct})
	noErr(t, err)
	if len(users.Users) != 1 {
		t.Fatalf("%d users after the refusals, want ana alone", len(users.Users))
	}
}

func TestListUsers(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "listing").AccountId
	all := map[string]string{} // UserId → email
	for i := range 5 {
		u := createUserIn(t, c, acct, fmt.Sprintf("user%d@example.com", i))
		all[aws.ToString(u.UserId)] = aws.ToString(u.PrimaryEmail)
	}
	device, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: acct, Email: aws.String("Lobby@Example.com"), UserType: types.UserTypeSharedDevice})
	noErr(t, err)
	all[aws.ToString(device.User.UserId)] = "Lobby@Example.com"
	// Another account's users never show up.
	createUserIn(t, c, createTeamAccount(t, c, "elsewhere").AccountId, "elsewhere@example.com")

	tests := []struct {
		name string
		in   chime.ListUsersInput
		want []string
	}{
		{"email, any case", chime.ListUsersInput{UserEmail: aws.String("LOBBY@example.COM")}, []string{"Lobby@Example.com"}},
		{"unknown email", chime.ListUsersInput{UserEmail: aws.String("nobody@example.com")}, nil},
		{"shared devices", chime.ListUsersInput{UserType: types.UserTypeSharedDevice}, []string{"Lobby@Example.com"}},
		{"private users", chime.ListUsersInput{UserType: types.UserTypePrivateUser},
			[]string{"user0@example.com", "user1@example.com", "user2@example.com", "user3@example.com", "user4@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.AccountId = acct
			out, err := c.ListUsers(ctx, &in)
			noErr(t, err)
			var got []string
			for _, u := range out.Users {
				got = append(got, aws.ToString(u.PrimaryEmail))
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	seen := map[string]bool{}
	pages := 0
	p := chime.NewListUsersPaginator(c, &chime.ListUsersInput{AccountId: acct, MaxResults: aws.Int32(4)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		pages++
		if len(page.Users) > 4 {
			t.Fatalf("page of %d users with MaxResults 4", len(page.Users))
		}
		for _, u := range page.Users {
			id := aws.ToString(u.UserId)
			if _, ok := all[id]; !ok || seen[id] {
				t.Fatalf("user %s (%s) is foreign or listed twice", id, aws.ToString(u.PrimaryEmail))
			}
			seen[id] = true
		}
	}
	if pages != 2 || len(seen) != len(all) {
		t.Errorf("%d pages with %d users, want 2 pages with %d", pages, len(seen), len(all))
	}

	first, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acct, MaxResults: aws.Int32(1)})
	noErr(t, err)
	other := createTeamAccount(t, c, "token thief").AccountId
	_, err = c.ListUsers(ctx, &chime.ListUsersInput{AccountId: other, NextToken: first.NextToken})
	wantError(t, err, "BadRequestException")
	_, err = c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acct, MaxResults: aws.Int32(201)})
	wantError(t, err, "BadRequestException")
	_, err = c.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String("no-such-account")})
	wantError(t, err, "NotFoundException")
}

func TestUpdateUser(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "updates").AccountId
	id := createUserIn(t, c, acct, "u@example.com").UserId

	out, err := c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: acct, UserId: id, LicenseType: types.LicenseBasic})
	noErr(t, err)
	if out.User.LicenseType != types.LicenseBasic || out.User.UserType != types.UserTypePrivateUser {
		t.Errorf("LicenseType %s, UserType %s after a license update", out.User.LicenseType, out.User.UserType)
	}
	_, err = c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: acct, UserId: id, UserType: types.UserTypeSharedDevice,
		AlexaForBusinessMetadata: &types.AlexaForBusinessMetadata{IsAlexaForBusinessEnabled: aws.Bool(true),
			AlexaForBusinessRoomArn: aws.String("arn:aws:a4b:us-east-1:111122223333:room/abc")}})
	noErr(t, err)
	u := getUser(t, c, acct, id)
	if u.LicenseType != types.LicenseBasic || u.UserType != types.UserTypeSharedDevice {
		t.Errorf("stored LicenseType %s, UserType %s; want Basic, SharedDevice", u.LicenseType, u.UserType)
	}
	if a := u.AlexaForBusinessMetadata; a == nil || !aws.ToBool(a.IsAlexaForBusinessEnabled) ||
		aws.ToString(a.AlexaForBusinessRoomArn) != "arn:aws:a4b:us-east-1:111122223333:room/abc" {
		t.Errorf("AlexaForBusinessMetadata %+v", a)
	}

	// A Team account supports Basic and Pro only.
	for _, license := range []types.License{types.LicensePlus, types.LicenseProTrial} {
		_, err = c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: acct, UserId: id, LicenseType: license})
		wantErrorMessage(t, err, "BadRequestException", "LicenseType")
	}
	if u := getUser(t, c, acct, id); u.LicenseType != types.LicenseBasic {
		t.Errorf("refused update left LicenseType %s", u.LicenseType)
	}
	_, err = c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: acct, UserId: aws.String("no-such-user"), LicenseType: types.LicensePro})
	wantError(t, err, "NotFoundException")
}

func TestBatchUpdateUser(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "batch").AccountId
	first := createUserIn(t, c, acct, "first@example.com").UserId
	second := createUserIn(t, c, acct, "second@example.com").UserId

	out, err := c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: acct, UpdateUserRequestItems: []types.UpdateUserRequestItem{
		{UserId: first, LicenseType: types.LicenseBasic},
		{UserId: aws.String("no-such-user"), LicenseType: types.LicenseBasic},
		{UserId: second, LicenseType: types.LicensePlus},
	}})
	noErr(t, err)
	// Each failing item is reported on its own; the others are applied.
	want := map[string]types.ErrorCode{"no-such-user": types.ErrorCodeNotFound, aws.ToString(second): types.ErrorCodeBadRequest}
	if len(out.UserErrors) != len(want) {
		t.Fatalf("UserErrors %+v, want one per failing item", out.UserErrors)
	}
	for _, ue := range out.UserErrors {
		if want[aws.ToString(ue.UserId)] != ue.ErrorCode || aws.ToString(ue.ErrorMessage) == "" {
			t.Errorf("UserError %s %s %q", aws.ToString(ue.UserId), ue.ErrorCode, aws.ToString(ue.ErrorMessage))
		}
	}
	if u := getUser(t, c, acct, first); u.LicenseType != types.LicenseBasic {
		t.Errorf("first user LicenseType %s, want Basic", u.LicenseType)
	}
	if u := getUser(t, c, acct, second); u.LicenseType != types.LicensePro {
		t.Errorf("refused item changed LicenseType to %s", u.LicenseType)
	}

	items := make([]types.UpdateUserRequestItem, 21)
	for i := range items {
		items[i] = types.UpdateUserRequestItem{UserId: first, LicenseType: types.LicensePro}
	}
	_, err = c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: acct, UpdateUserRequestItems: items})
	wantErrorMessage(t, err, "BadRequestException", "UpdateUserRequestItems")
	_, err = c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: acct, UpdateUserRequestItems: items[:20]})
	noErr(t, err)
	_, err = c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: aws.String("no-such-account"), UpdateUserRequestItems: items[:1]})
	wantError(t, err, "NotFoundException")
}

func TestInviteUsers(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "invites").AccountId
	member := createUserIn(t, c, acct, "member@example.com")

	out, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acct,
		UserEmailList: []string{"new1@example.com", "new2@example.com"}, UserType: types.UserTypeSharedDevice})
	noErr(t, err)
	if len(out.Invites) != 2 {
		t.Fatalf("Invites %+v, want two", out.Invites)
	}
	for _, inv := range out.Invites {
		// No mail relay exists yet, so no email was sent.
		if inv.Status != types.InviteStatusPending || inv.EmailStatus != types.EmailStatusNotSent || aws.ToString(inv.InviteId) == "" {
			t.Errorf("invite %s: Status %s, EmailStatus %s, InviteId %q", aws.ToString(inv.EmailAddress), inv.Status, inv.EmailStatus, aws.ToString(inv.InviteId))
		}
	}
	// Each invitee is an unregistered user of the account until accepting.
	list, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acct, UserEmail: aws.String("new1@example.com")})
	noErr(t, err)
	if len(list.Users) != 1 {
		t.Fatalf("invitee listed %d times", len(list.Users))
	}
	if u := list.Users[0]; u.UserRegistrationStatus != types.RegistrationStatusUnregistered ||
		u.UserInvitationStatus != types.InviteStatusPending || u.InvitedOn == nil || u.UserType != types.UserTypeSharedDevice {
		t.Errorf("invitee: registration %s, invitation %s, InvitedOn %v, UserType %s",
			u.UserRegistrationStatus, u.UserInvitationStatus, u.InvitedOn, u.UserType)
	}
	// Inviting a registered member again needs no acceptance.
	again, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acct, UserEmailList: []string{"MEMBER@example.com"}})
	noErr(t, err)
	if len(again.Invites) != 1 || again.Invites[0].Status != types.InviteStatusAccepted {
		t.Errorf("re-inviting a member: %+v", again.Invites)
	}
	if u := getUser(t, c, acct, member.UserId); u.UserRegistrationStatus != types.RegistrationStatusRegistered {
		t.Errorf("member is %s after being invited again", u.UserRegistrationStatus)
	}

	emails := make([]string, 51)
	for i := range emails {
		emails[i] = fmt.Sprintf("bulk%d@example.com", i)
	}
	_, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acct, UserEmailList: emails})
	wantErrorMessage(t, err, "BadRequestException", "UserEmailList")
	out, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acct, UserEmailList: emails[:50]})
	noErr(t, err)
	if len(out.Invites) != 50 {
		t.Errorf("%d invites for 50 emails", len(out.Invites))
	}

	// Only Team accounts take invitations.
	lwa := e.createEnterpriseAccount(t, keyA, "EnterpriseLWA", "invite.example.com")
	_, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: aws.String(lwa), UserEmailList: []string{"x@invite.example.com"}})
	wantError(t, err, "ForbiddenException")
	_, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: aws.String("no-such-account"), UserEmailList: []string{"x@example.com"}})
	wantError(t, err, "NotFoundException")
}

func TestSuspendTeamUsers(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "team").AccountId
	gone := createUserIn(t, c, acct, "gone@example.com").UserId
	stays := createUserIn(t, c, acct, "stays@example.com").UserId

	out, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: acct, UserIdList: []string{aws.ToString(gone), "no-such-user"}})
	noErr(t, err)
	if len(out.UserErrors) != 1 || aws.ToString(out.UserErrors[0].UserId) != "no-such-user" || out.UserErrors[0].ErrorCode != types.ErrorCodeNotFound {
		t.Errorf("UserErrors %+v, want NotFound for no-such-user only", out.UserErrors)
	}
	// Suspended from a Team account means removed from it.
	_, err = c.GetUser(ctx, &chime.GetUserInput{AccountId: acct, UserId: gone})
	wantError(t, err, "NotFoundException")
	getUser(t, c, acct, stays)
	// Team users are not unsuspended: they are invited again.
	_, err = c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: acct, UserIdList: []string{aws.ToString(gone)}})
	wantError(t, err, "ForbiddenException")
	inv, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acct, UserEmailList: []string{"gone@example.com"}})
	noErr(t, err)
	if len(inv.Invites) != 1 || inv.Invites[0].Status != types.InviteStatusPending {
		t.Errorf("re-inviting a suspended Team user: %+v", inv.Invites)
	}

	ids := make([]string, 51)
	for i := range ids {
		ids[i] = aws.ToString(stays)
	}
	_, err = c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: acct, UserIdList: ids})
	wantErrorMessage(t, err, "BadRequestException", "UserIdList")
	getUser(t, c, acct, stays)
	_, err = c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: aws.String("no-such-account"), UserIdList: ids[:1]})
	wantError(t, err, "NotFoundException")
}

func TestSuspendEnterpriseUsers(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	lwa := aws.String(e.createEnterpriseAccount(t, keyA, "EnterpriseLWA", "lwa.example.com"))
	u := createUserIn(t, c, lwa, "worker@lwa.example.com").UserId
	untouched := createUserIn(t, c, lwa, "other@lwa.example.com").UserId

	status := func(id *string) types.RegistrationStatus {
		t.Helper()
		return getUser(t, c, lwa, id).UserRegistrationStatus
	}
	out, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: lwa, UserIdList: []string{aws.ToString(u)}})
	noErr(t, err)
	if len(out.UserErrors) != 0 {
		t.Errorf("UserErrors %+v", out.UserErrors)
	}
	// An EnterpriseLWA user stays in the account, suspended.
	if s := status(u); s != types.RegistrationStatusSuspended {
		t.Errorf("suspended user is %s", s)
	}
	un, err := c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: lwa,
		UserIdList: []string{aws.ToString(u), aws.ToString(untouched), "no-such-user", "no-such-user"}})
	noErr(t, err)
	if len(un.UserErrors) != 1 || un.UserErrors[0].ErrorCode != types.ErrorCodeNotFound {
		t.Errorf("UserErrors %+v, want NotFound for no-such-user only, once", un.UserErrors)
	}
	if s := status(u); s != types.RegistrationStatusRegistered {
		t.Errorf("unsuspended user is %s, want Registered", s)
	}
	if s := status(untouched); s != types.RegistrationStatusRegistered {
		t.Errorf("user who was never suspended is %s", s)
	}

	// Other Enterprise types suspend users by releasing their domain.
	for _, typ := range []string{"EnterpriseAD", "EnterpriseOIDC"} {
		domain := strings.ToLower(typ) + ".example.com"
		id := aws.String(e.createEnterpriseAccount(t, keyA, typ, domain))
		user := createUserIn(t, c, id, "someone@"+domain).UserId
		_, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: id, UserIdList: []string{aws.ToString(user)}})
		wantError(t, err, "ForbiddenException")
		_, err = c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: id, UserIdList: []string{aws.ToString(user)}})
		wantError(t, err, "ForbiddenException")
	}
}

func TestResetPersonalPIN(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "pins").AccountId
	u := createUserIn(t, c, acct, "pin@example.com")

	seen := map[string]bool{aws.ToString(u.PersonalPIN): true}
	for range 3 {
		out, err := c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: acct, UserId: u.UserId})
		noErr(t, err)
		pin := aws.ToString(out.User.PersonalPIN)
		if !pinPattern.MatchString(pin) || seen[pin] {
			t.Fatalf("reset PIN %q is malformed or was used before", pin)
		}
		seen[pin] = true
		if got := aws.ToString(getUser(t, c, acct, u.UserId).PersonalPIN); got != pin {
			t.Errorf("stored PIN %s, reset answered %s", got, pin)
		}
	}
	_, err := c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: acct, UserId: aws.String("no-such-user")})
	wantError(t, err, "NotFoundException")
}

func TestLogoutUser(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "logout").AccountId
	u := createUserIn(t, c, acct, "out@example.com")

	_, err := c.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: acct, UserId: u.UserId})
	noErr(t, err)
	// Signing out everywhere does not suspend.
	if s := getUser(t, c, acct, u.UserId).UserRegistrationStatus; s != types.RegistrationStatusRegistered {
		t.Errorf("logged-out user is %s", s)
	}
	_, err = c.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: acct, UserId: aws.String("no-such-user")})
	wantError(t, err, "NotFoundException")
	_, err = c.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: aws.String("no-such-account"), UserId: u.UserId})
	wantError(t, err, "NotFoundException")
}

func TestUserSettings(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "settings").AccountId
	u := createUserIn(t, c, acct, "phone@example.com").UserId

	get := func() types.TelephonySettings {
		t.Helper()
		out, err := c.GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: acct, UserId: u})
		noErr(t, err)
		return *out.UserSettings.Telephony
	}
	if s := get(); !aws.ToBool(s.InboundCalling) || !aws.ToBool(s.OutboundCalling) || !aws.ToBool(s.SMS) {
		t.Errorf("new user telephony %+v, want all enabled", s)
	}
	_, err := c.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: acct, UserId: u, UserSettings: &types.UserSettings{
		Telephony: &types.TelephonySettings{InboundCalling: aws.Bool(false), OutboundCalling: aws.Bool(true), SMS: aws.Bool(false)}}})
	noErr(t, err)
	if s := get(); aws.ToBool(s.InboundCalling) || !aws.ToBool(s.OutboundCalling) || aws.ToBool(s.SMS) {
		t.Errorf("after update: %+v, want inbound off, outbound on, SMS off", s)
	}

	// Every telephony setting is required.
	_, err = c.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: acct, UserId: u, UserSettings: &types.UserSettings{
		Telephony: &types.TelephonySettings{InboundCalling: aws.Bool(true), OutboundCalling: aws.Bool(true)}}}, withoutClientValidation)
	wantErrorMessage(t, err, "BadRequestException", "UserSettings.Telephony.SMS")
	if s := get(); aws.ToBool(s.InboundCalling) {
		t.Errorf("refused update changed the settings to %+v", s)
	}
	_, err = c.GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: acct, UserId: aws.String("no-such-user")})
	wantError(t, err, "NotFoundException")
	_, err = c.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: acct, UserId: aws.String("no-such-user"), UserSettings: &types.UserSettings{
		Telephony: &types.TelephonySettings{InboundCalling: aws.Bool(true), OutboundCalling: aws.Bool(true), SMS: aws.Bool(true)}}})
	wantError(t, err, "NotFoundException")
}

// InviteUsers has no ConflictException: an address that a concurrent
// CreateUser takes in another account gets a Failed invitation, as it would
// one call later. On PostgreSQL the insert of the invitee broke the email's
// uniqueness rule, which was answered with a 409.
func TestInviteRacingCreateUser(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	creating := createTeamAccount(t, c, "creating").AccountId
	inviting := createTeamAccount(t, c, "inviting").AccountId
	const rounds, racers = 25, 4
	for round := range rounds {
		email := fmt.Sprintf("race%d@example.com", round)
		createErrs := make([]error, racers)
		inviteErrs := make([]error, racers)
		invites := make([]*chime.InviteUsersOutput, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				_, createErrs[i] = c.CreateUser(ctx, &chime.CreateUserInput{AccountId: creating, Email: aws.String(email)})
			})
			wg.Go(func() {
				invites[i], inviteErrs[i] = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: inviting, UserEmailList: []string{email}})
			})
		}
		wg.Wait()
		if won := winners(t, createErrs, "ConflictException"); won > 1 {
			t.Fatalf("round %d: %d users with one email", round, won)
		}
		for i, err := range inviteErrs {
			noErr(t, err)
			if st := invites[i].Invites[0].Status; st != types.InviteStatusPending && st != types.InviteStatusFailed {
				t.Fatalf("round %d: invitation %s", round, st)
			}
		}
	}
}

// An address listed twice, in any case, is invited once and answered once,
// as first spelled.
func TestInviteUsersInvitesARepeatedAddressOnce(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createAccount(t, c, "invites")
	out, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: aws.String(acct),
		UserEmailList: []string{"Dup@example.com", "other@example.com", "dup@EXAMPLE.com"}})
	noErr(t, err)
	var got []string
	for _, inv := range out.Invites {
		got = append(got, aws.ToString(inv.EmailAddress))
	}
	if want := []string{"Dup@example.com", "other@example.com"}; !slices.Equal(got, want) {
		t.Fatalf("invited %v, want %v", got, want)
	}
	users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(acct)})
	noErr(t, err)
	if len(users.Users) != 2 {
		t.Fatalf("%d users after inviting two people", len(users.Users))
	}
}

// UserEmail finds the account's user with that address in any case, and
// nobody in another account, of the same AWS account or another.
func TestListUsersByEmail(t *testing.T) {
	e := start(t)
	a, b := e.client(keyA), e.client(keyB)
	first, second, other := createAccount(t, a, "first"), createAccount(t, a, "second"), createAccount(t, b, "other")
	for _, u := range []struct {
		c       *chime.Client
		account string
		email   string
	}{{a, first, "pat@example.com"}, {a, first, "sam@example.com"}, {b, other, "kim@example.com"}} {
		_, err := u.c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(u.account), Email: aws.String(u.email)})
		noErr(t, err)
	}
	tests := []struct {
		account, email string
		want           []string
	}{
		{first, "PAT@example.com", []string{"pat@example.com"}},
		{second, "pat@example.com", nil},
		{first, "kim@example.com", nil},
		{first, "nobody@example.com", nil},
	}
	for _, tt := range tests {
		out, err := a.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(tt.account), UserEmail: aws.String(tt.email)})
		noErr(t, err)
		var got []string
		for _, u := range out.Users {
			got = append(got, aws.ToString(u.PrimaryEmail))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ListUsers(%s, %s) = %v, want %v", tt.account, tt.email, got, tt.want)
		}
	}
}
