package gov1

// Users, through the AWS SDK for Go v1: one test per operation, as
// clients/js/test/users.test.mjs.

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/chime"
)

// The Team account most user tests work in.
var usersAccount fixture[string]

func usersAccountID(t *testing.T, c *chime.Chime) string {
	t.Helper()
	return usersAccount.get(t, func(t *testing.T) string {
		return aws.StringValue(createAccount(t, c, "users").AccountId)
	})
}

func userIDs(users []*chime.User) []string {
	ids := []string{}
	for _, u := range users {
		ids = append(ids, aws.StringValue(u.UserId))
	}
	return ids
}

// userErrors lists a batch's errors as [UserId, ErrorCode] pairs.
func userErrors(errs []*chime.UserError) [][2]string {
	pairs := [][2]string{}
	for _, e := range errs {
		pairs = append(pairs, [2]string{aws.StringValue(e.UserId), aws.StringValue(e.ErrorCode)})
	}
	return pairs
}

func sharedDevice(in *chime.CreateUserInput) { in.UserType = aws.String("SharedDevice") }

func TestCreateUser(t *testing.T) {
	c := newClient(t)
	accountID := usersAccountID(t, c)
	address := email("create")
	name := unique("create")
	out, err := c.CreateUser(&chime.CreateUserInput{
		AccountId: aws.String(accountID), Email: aws.String(address), Username: aws.String(name),
		UserType: aws.String("SharedDevice"),
	})
	must(t, err)
	user := out.User
	equal(t, "AccountId", aws.StringValue(user.AccountId), accountID)
	equal(t, "PrimaryEmail", aws.StringValue(user.PrimaryEmail), address)
	equal(t, "DisplayName", aws.StringValue(user.DisplayName), name)
	equal(t, "UserType", aws.StringValue(user.UserType), "SharedDevice")
	equal(t, "LicenseType", aws.StringValue(user.LicenseType), "Pro")
	equal(t, "UserRegistrationStatus", aws.StringValue(user.UserRegistrationStatus), "Registered")
	check(t, isTime(user.RegisteredOn), "RegisteredOn %v", user.RegisteredOn)
	// An email is one person across the AWS account: a second is a conflict.
	_, err = c.CreateUser(&chime.CreateUserInput{AccountId: aws.String(accountID), Email: aws.String(strings.ToUpper(address))})
	wantError[*chime.ConflictException](t, err)
	_, err = c.CreateUser(&chime.CreateUserInput{AccountId: aws.String(unknown), Email: aws.String(email("x"))})
	wantError[*chime.NotFoundException](t, err)
}

func TestGetUser(t *testing.T) {
	c := newClient(t)
	accountID := usersAccountID(t, c)
	created := createUser(t, c, accountID, "get")
	out, err := c.GetUser(&chime.GetUserInput{AccountId: aws.String(accountID), UserId: created.UserId})
	must(t, err)
	deepEqual(t, "user", out.User, created)
	_, err = c.GetUser(&chime.GetUserInput{AccountId: aws.String(accountID), UserId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestListUsers(t *testing.T) {
	c := newClient(t)
	account := aws.StringValue(createAccount(t, c, "list-users").AccountId)
	var ids []string
	for _, name := range []string{"list0", "list1", "list2"} {
		ids = append(ids, aws.StringValue(createUser(t, c, account, name).UserId))
	}
	device := createUser(t, c, account, "device", sharedDevice)
	// The SDK's paginator, one user a page.
	var listed []string
	pages := 0
	err := c.ListUsersPages(&chime.ListUsersInput{AccountId: aws.String(account), MaxResults: aws.Int64(1)},
		func(page *chime.ListUsersOutput, _ bool) bool {
			listed = append(listed, userIDs(page.Users)...)
			pages++
			return true
		})
	must(t, err)
	check(t, pages >= 4, "%d pages", pages)
	slices.Sort(listed)
	want := append(ids, aws.StringValue(device.UserId))
	slices.Sort(want)
	deepEqual(t, "users", listed, want)
	byType, err := c.ListUsers(&chime.ListUsersInput{AccountId: aws.String(account), UserType: aws.String("SharedDevice")})
	must(t, err)
	deepEqual(t, "users by type", userIDs(byType.Users), []string{aws.StringValue(device.UserId)})
	byEmail, err := c.ListUsers(&chime.ListUsersInput{AccountId: aws.String(account), UserEmail: device.PrimaryEmail})
	must(t, err)
	deepEqual(t, "users by email", userIDs(byEmail.Users), []string{aws.StringValue(device.UserId)})
	_, err = c.ListUsers(&chime.ListUsersInput{AccountId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestUpdateUser(t *testing.T) {
	c := newClient(t)
	accountID := usersAccountID(t, c)
	user := createUser(t, c, accountID, "update")
	out, err := c.UpdateUser(&chime.UpdateUserInput{
		AccountId: aws.String(accountID), UserId: user.UserId,
		LicenseType: aws.String("Basic"), UserType: aws.String("SharedDevice"),
	})
	must(t, err)
	equal(t, "LicenseType", aws.StringValue(out.User.LicenseType), "Basic")
	equal(t, "UserType", aws.StringValue(out.User.UserType), "SharedDevice")
	_, err = c.UpdateUser(&chime.UpdateUserInput{AccountId: aws.String(accountID), UserId: user.UserId, LicenseType: aws.String("Plus")})
	wantError[*chime.BadRequestException](t, err)
	_, err = c.UpdateUser(&chime.UpdateUserInput{AccountId: aws.String(accountID), UserId: aws.String(unknown), LicenseType: aws.String("Basic")})
	wantError[*chime.NotFoundException](t, err)
}

func TestBatchUpdateUser(t *testing.T) {
	c := newClient(t)
	accountID := usersAccountID(t, c)
	user := createUser(t, c, accountID, "batch-update")
	out, err := c.BatchUpdateUser(&chime.BatchUpdateUserInput{
		AccountId: aws.String(accountID),
		UpdateUserRequestItems: []*chime.UpdateUserRequestItem{
			{UserId: user.UserId, LicenseType: aws.String("Basic")},
			{UserId: aws.String(unknown), LicenseType: aws.String("Basic")},
		},
	})
	must(t, err)
	deepEqual(t, "UserErrors", userErrors(out.UserErrors), [][2]string{{unknown, "NotFound"}})
	got, err := c.GetUser(&chime.GetUserInput{AccountId: aws.String(accountID), UserId: user.UserId})
	must(t, err)
	equal(t, "LicenseType", aws.StringValue(got.User.LicenseType), "Basic")
}

func TestInviteUsers(t *testing.T) {
	c := newClient(t)
	account := aws.StringValue(createAccount(t, c, "invite").AccountId)
	address := email("invitee")
	out, err := c.InviteUsers(&chime.InviteUsersInput{AccountId: aws.String(account), UserEmailList: aws.StringSlice([]string{address})})
	must(t, err)
	equal(t, "invites", len(out.Invites), 1)
	invite := out.Invites[0]
	equal(t, "EmailAddress", aws.StringValue(invite.EmailAddress), address)
	equal(t, "Status", aws.StringValue(invite.Status), "Pending")
	check(t, slices.Contains([]string{"NotSent", "Sent", "Failed"}, aws.StringValue(invite.EmailStatus)),
		"EmailStatus %q", aws.StringValue(invite.EmailStatus))
	listed, err := c.ListUsers(&chime.ListUsersInput{AccountId: aws.String(account), UserEmail: aws.String(address)})
	must(t, err)
	equal(t, "users", len(listed.Users), 1)
	equal(t, "UserInvitationStatus", aws.StringValue(listed.Users[0].UserInvitationStatus), "Pending")
	equal(t, "UserRegistrationStatus", aws.StringValue(listed.Users[0].UserRegistrationStatus), "Unregistered")
	enterprise, _ := createEnterpriseAccount(t, c, "EnterpriseLWA")
	_, err = c.InviteUsers(&chime.InviteUsersInput{AccountId: aws.String(enterprise), UserEmailList: aws.StringSlice([]string{email("x")})})
	wantError[*chime.ForbiddenException](t, err)
}

func TestBatchSuspendUser(t *testing.T) {
	c := newClient(t)
	account := aws.StringValue(createAccount(t, c, "suspend").AccountId)
	user := createUser(t, c, account, "suspend")
	out, err := c.BatchSuspendUser(&chime.BatchSuspendUserInput{
		AccountId: aws.String(account), UserIdList: []*string{user.UserId, aws.String(unknown)},
	})
	must(t, err)
	deepEqual(t, "UserErrors", userErrors(out.UserErrors), [][2]string{{unknown, "NotFound"}})
	// Suspending a Team account's user removes it from the account.
	_, err = c.GetUser(&chime.GetUserInput{AccountId: aws.String(account), UserId: user.UserId})
	wantError[*chime.NotFoundException](t, err)
}

func TestBatchUnsuspendUser(t *testing.T) {
	c := newClient(t)
	teamAccountID := usersAccountID(t, c)
	accountID, _ := createEnterpriseAccount(t, c, "EnterpriseLWA")
	user := createUser(t, c, accountID, "unsuspend")
	_, err := c.BatchSuspendUser(&chime.BatchSuspendUserInput{AccountId: aws.String(accountID), UserIdList: []*string{user.UserId}})
	must(t, err)
	got, err := c.GetUser(&chime.GetUserInput{AccountId: aws.String(accountID), UserId: user.UserId})
	must(t, err)
	equal(t, "UserRegistrationStatus", aws.StringValue(got.User.UserRegistrationStatus), "Suspended")
	out, err := c.BatchUnsuspendUser(&chime.BatchUnsuspendUserInput{AccountId: aws.String(accountID), UserIdList: []*string{user.UserId}})
	must(t, err)
	deepEqual(t, "UserErrors", userErrors(out.UserErrors), [][2]string{})
	got, err = c.GetUser(&chime.GetUserInput{AccountId: aws.String(accountID), UserId: user.UserId})
	must(t, err)
	equal(t, "UserRegistrationStatus", aws.StringValue(got.User.UserRegistrationStatus), "Registered")
	_, err = c.BatchUnsuspendUser(&chime.BatchUnsuspendUserInput{AccountId: aws.String(teamAccountID), UserIdList: aws.StringSlice([]string{unknown})})
	wantError[*chime.ForbiddenException](t, err)
}

func TestResetPersonalPIN(t *testing.T) {
	c := newClient(t)
	accountID := usersAccountID(t, c)
	user := createUser(t, c, accountID, "pin")
	out, err := c.ResetPersonalPIN(&chime.ResetPersonalPINInput{AccountId: aws.String(accountID), UserId: user.UserId})
	must(t, err)
	pin := aws.StringValue(out.User.PersonalPIN)
	check(t, regexp.MustCompile(`^[0-9]+$`).MatchString(pin), "PersonalPIN %q", pin)
	check(t, pin != aws.StringValue(user.PersonalPIN), "PersonalPIN %q did not change", pin)
	got, err := c.GetUser(&chime.GetUserInput{AccountId: aws.String(accountID), UserId: user.UserId})
	must(t, err)
	equal(t, "PersonalPIN", aws.StringValue(got.User.PersonalPIN), pin)
	_, err = c.ResetPersonalPIN(&chime.ResetPersonalPINInput{AccountId: aws.String(accountID), UserId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestLogoutUser(t *testing.T) {
	c := newClient(t)
	accountID := usersAccountID(t, c)
	user := createUser(t, c, accountID, "logout")
	req, _ := c.LogoutUserRequest(&chime.LogoutUserInput{AccountId: aws.String(accountID), UserId: user.UserId})
	equal(t, "HTTP status", send(t, req), 204)
	_, err := c.LogoutUser(&chime.LogoutUserInput{AccountId: aws.String(accountID), UserId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestGetUserSettings(t *testing.T) {
	c := newClient(t)
	accountID := usersAccountID(t, c)
	user := createUser(t, c, accountID, "settings")
	out, err := c.GetUserSettings(&chime.GetUserSettingsInput{AccountId: aws.String(accountID), UserId: user.UserId})
	must(t, err)
	// v1 has a field for each of the three settings; each must have come
	// as a boolean.
	telephony := out.UserSettings.Telephony
	check(t, telephony != nil && telephony.InboundCalling != nil && telephony.OutboundCalling != nil && telephony.SMS != nil,
		"Telephony %v", telephony)
	_, err = c.GetUserSettings(&chime.GetUserSettingsInput{AccountId: aws.String(accountID), UserId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestUpdateUserSettings(t *testing.T) {
	c := newClient(t)
	accountID := usersAccountID(t, c)
	user := createUser(t, c, accountID, "settings")
	wanted := &chime.TelephonySettings{InboundCalling: aws.Bool(false), OutboundCalling: aws.Bool(true), SMS: aws.Bool(false)}
	req, _ := c.UpdateUserSettingsRequest(&chime.UpdateUserSettingsInput{
		AccountId: aws.String(accountID), UserId: user.UserId,
		UserSettings: &chime.UserSettings{Telephony: wanted},
	})
	equal(t, "HTTP status", send(t, req), 204)
	got, err := c.GetUserSettings(&chime.GetUserSettingsInput{AccountId: aws.String(accountID), UserId: user.UserId})
	must(t, err)
	deepEqual(t, "Telephony", got.UserSettings.Telephony, wanted)
}
