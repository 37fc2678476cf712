package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	chimed "github.com/chimed/chimed/internal/chime"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// userIDPattern is a version 7 UUID: user IDs start with their creation
// time, so that the users table takes new users at its end.
var userIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// createTeamAccount creates a Team account (the only kind CreateAccount makes).
func createTeamAccount(t *testing.T, c *chime.Client, name string) *types.Account {
	t.Helper()
	out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(name)})
	noErr(t, err)
	return out.Account
}

// claimDomainHTTP makes the account an Enterprise account of the given type
// through the signed POST /_chimed/accounts/{accountId}/domains extension.
func (e *env) claimDomainHTTP(t *testing.T, key, accountID, domain, accountType string) rawResponse {
	t.Helper()
	body, err := json.Marshal(map[string]string{"Domain": domain, "AccountType": accountType})
	if err != nil {
		t.Fatal(err)
	}
	return e.send(t, key, rawRequest{method: "POST", path: "/_chimed/accounts/" + escapeLabel(accountID) + "/domains", body: body})
}

// releaseDomainHTTP gives the domain up through the signed DELETE extension.
func (e *env) releaseDomainHTTP(t *testing.T, key, accountID, domain string) rawResponse {
	t.Helper()
	return e.send(t, key, rawRequest{method: "DELETE", path: "/_chimed/accounts/" + escapeLabel(accountID) + "/domains/" + escapeLabel(domain)})
}

// wantStatus fails unless the reply has the given status.
func wantStatus(t *testing.T, r rawResponse, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("got %v, want status %d", r, status)
	}
}

// createEnterpriseAccount creates an account and claims a domain for it, which
// makes it an Enterprise account of the given type.
func (e *env) createEnterpriseAccount(t *testing.T, key, accountType, domain string) string {
	t.Helper()
	id := aws.ToString(createTeamAccount(t, e.client(key), "enterprise "+domain).AccountId)
	wantStatus(t, e.claimDomainHTTP(t, key, id, domain, accountType), 201)
	return id
}

func TestCreateAndGetAccount(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	before := time.Now().Add(-time.Second)
	created := createTeamAccount(t, c, "Example Corp")

	got, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: created.AccountId})
	noErr(t, err)
	for _, a := range []*types.Account{created, got.Account} {
		if !uuidPattern.MatchString(aws.ToString(a.AccountId)) {
			t.Errorf("AccountId %q is not a random UUID", aws.ToString(a.AccountId))
		}
		if aws.ToString(a.Name) != "Example Corp" || aws.ToString(a.AwsAccountId) != accountA {
			t.Errorf("Name, AwsAccountId = %q, %q", aws.ToString(a.Name), aws.ToString(a.AwsAccountId))
		}
		if a.AccountType != types.AccountTypeTeam || a.AccountStatus != types.AccountStatusActive {
			t.Errorf("AccountType, AccountStatus = %s, %s; want Team, Active", a.AccountType, a.AccountStatus)
		}
		if a.DefaultLicense != types.LicensePro || !slices.Equal(a.SupportedLicenses, []types.License{types.LicenseBasic, types.LicensePro}) {
			t.Errorf("DefaultLicense %s, SupportedLicenses %v; want Pro, [Basic Pro]", a.DefaultLicense, a.SupportedLicenses)
		}
		if ts := aws.ToTime(a.CreatedTimestamp); ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
			t.Errorf("CreatedTimestamp %v is not the time of the call", ts)
		}
	}
	if !created.CreatedTimestamp.Equal(*got.Account.CreatedTimestamp) {
		t.Errorf("CreatedTimestamp changed from %v to %v", created.CreatedTimestamp, got.Account.CreatedTimestamp)
	}
	other := createTeamAccount(t, c, "Example Corp")
	if aws.ToString(other.AccountId) == aws.ToString(created.AccountId) {
		t.Errorf("two accounts share the ID %s", aws.ToString(other.AccountId))
	}

	_, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String("8a6c1a6e-0000-4000-8000-000000000000")})
	wantError(t, err, "NotFoundException")
}

func TestListAccountsFilters(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	for _, name := range []string{"alpha one", "alpha two", "beta", "Alpha upper"} {
		createTeamAccount(t, c, name)
	}
	withUser := createTeamAccount(t, c, "gamma")
	_, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: withUser.AccountId, Email: aws.String("Pat@Example.com")})
	noErr(t, err)

	tests := []struct {
		name string
		in   chime.ListAccountsInput
		want []string
	}{
		{"all", chime.ListAccountsInput{}, []string{"Alpha upper", "alpha one", "alpha two", "beta", "gamma"}},
		{"name prefix is case-sensitive", chime.ListAccountsInput{Name: aws.String("alpha")}, []string{"alpha one", "alpha two"}},
		{"whole name", chime.ListAccountsInput{Name: aws.String("beta")}, []string{"beta"}},
		{"no match", chime.ListAccountsInput{Name: aws.String("delta")}, nil},
		{"user email", chime.ListAccountsInput{UserEmail: aws.String("pat@example.com")}, []string{"gamma"}},
		{"unknown user email", chime.ListAccountsInput{UserEmail: aws.String("nobody@example.com")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.ListAccounts(ctx, &tt.in)
			noErr(t, err)
			if got := accountNames(out.Accounts); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if out.NextToken != nil {
				t.Errorf("NextToken %q on a complete listing", *out.NextToken)
			}
		})
	}
}

// accountNames returns the names sorted, since the listing order is the
// server's choice.
func accountNames(accounts []types.Account) []string {
	var names []string
	for _, a := range accounts {
		names = append(names, aws.ToString(a.Name))
	}
	slices.Sort(names)
	return names
}

func TestListAccountsPagination(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	want := map[string]bool{}
	for i := range 7 {
		want[aws.ToString(createTeamAccount(t, c, fmt.Sprintf("paged %d", i)).AccountId)] = true
	}

	seen := map[string]bool{}
	pages := 0
	p := chime.NewListAccountsPaginator(c, &chime.ListAccountsInput{MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		pages++
		if len(page.Accounts) > 3 {
			t.Fatalf("page of %d accounts with MaxResults 3", len(page.Accounts))
		}
		for _, a := range page.Accounts {
			id := aws.ToString(a.AccountId)
			if seen[id] {
				t.Fatalf("account %s listed twice", id)
			}
			seen[id] = true
		}
	}
	if pages != 3 || len(seen) != len(want) {
		t.Fatalf("%d pages with %d accounts, want 3 pages with %d", pages, len(seen), len(want))
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("account %s never listed", id)
		}
	}

	// A token is opaque and belongs to its listing and caller.
	first, err := c.ListAccounts(ctx, &chime.ListAccountsInput{MaxResults: aws.Int32(3)})
	noErr(t, err)
	_, err = e.client(keyB).ListAccounts(ctx, &chime.ListAccountsInput{NextToken: first.NextToken})
	wantError(t, err, "BadRequestException")
	_, err = c.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String("not-a-token")})
	wantError(t, err, "BadRequestException")
}

func TestListAccountsMaxResults(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	for i := range 101 {
		createTeamAccount(t, c, fmt.Sprintf("account %03d", i))
	}
	tests := []struct {
		name      string
		max       *int32
		wantCount int
		wantError bool
	}{
		{"default is 100", nil, 100, false},
		{"minimum", aws.Int32(1), 1, false},
		{"maximum", aws.Int32(200), 101, false},
		{"below minimum", aws.Int32(0), 0, true},
		{"above maximum", aws.Int32(201), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.ListAccounts(ctx, &chime.ListAccountsInput{MaxResults: tt.max})
			if tt.wantError {
				wantError(t, err, "BadRequestException")
				return
			}
			noErr(t, err)
			if len(out.Accounts) != tt.wantCount {
				t.Errorf("%d accounts, want %d", len(out.Accounts), tt.wantCount)
			}
			if more := out.NextToken != nil; more != (tt.wantCount < 101) {
				t.Errorf("NextToken present = %v with %d of 101 accounts", more, tt.wantCount)
			}
		})
	}
}

func TestUpdateAccount(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	id := createTeamAccount(t, c, "before").AccountId

	out, err := c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: id, Name: aws.String("after")})
	noErr(t, err)
	if aws.ToString(out.Account.Name) != "after" || out.Account.DefaultLicense != types.LicensePro {
		t.Errorf("after renaming: Name %q, DefaultLicense %s", aws.ToString(out.Account.Name), out.Account.DefaultLicense)
	}
	// Changing the license keeps the name.
	_, err = c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: id, DefaultLicense: types.LicenseBasic})
	noErr(t, err)
	got, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
	noErr(t, err)
	if aws.ToString(got.Account.Name) != "after" || got.Account.DefaultLicense != types.LicenseBasic {
		t.Errorf("stored: Name %q, DefaultLicense %s; want after, Basic", aws.ToString(got.Account.Name), got.Account.DefaultLicense)
	}

	// A Team account supports Basic and Pro only.
	_, err = c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: id, DefaultLicense: types.LicensePlus})
	wantError(t, err, "BadRequestException")
	_, err = c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: aws.String("no-such-account"), Name: aws.String("x")})
	wantError(t, err, "NotFoundException")
	got, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
	noErr(t, err)
	if got.Account.DefaultLicense != types.LicenseBasic {
		t.Errorf("refused update changed DefaultLicense to %s", got.Account.DefaultLicense)
	}
}

func TestDeleteTeamAccount(t *testing.T) {
	e := start(t)
	e.clock.Stop()
	c := e.client(keyA)
	id := createTeamAccount(t, c, "doomed").AccountId
	user, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: id, Email: aws.String("left@example.com")})
	noErr(t, err)

	// A Team account needs its users suspended first.
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: id})
	wantError(t, err, "UnprocessableEntityException")
	// Listed twice, the user is removed once, and the second mention is no
	// failure.
	suspended, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: id, UserIdList: []string{aws.ToString(user.User.UserId), aws.ToString(user.User.UserId)}})
	noErr(t, err)
	if len(suspended.UserErrors) != 0 {
		t.Fatalf("UserErrors %+v", suspended.UserErrors)
	}
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: id})
	noErr(t, err)

	// Deleted: gone from the list, visible as Suspended, no longer usable.
	list, err := c.ListAccounts(ctx, &chime.ListAccountsInput{})
	noErr(t, err)
	if len(list.Accounts) != 0 {
		t.Errorf("ListAccounts still lists %q", accountNames(list.Accounts))
	}
	wantSuspended := func() {
		t.Helper()
		got, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
		noErr(t, err)
		if got.Account.AccountStatus != types.AccountStatusSuspended {
			t.Errorf("deleted account has status %s, want Suspended", got.Account.AccountStatus)
		}
	}
	wantSuspended()
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: id})
	wantError(t, err, "NotFoundException")
	_, err = c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: id, Name: aws.String("revived")})
	wantError(t, err, "NotFoundException")
	_, err = c.CreateUser(ctx, &chime.CreateUserInput{AccountId: id, Email: aws.String("new@example.com")})
	wantError(t, err, "NotFoundException")

	// Kept in the disabled list for 90 days, then gone: at once, even
	// before the purge job runs, and then purged.
	e.runJobs(chimed.DeletedAccountRetention - time.Millisecond)
	wantSuspended()
	e.clock.Advance(time.Millisecond)
	_, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
	wantError(t, err, "NotFoundException")
	e.runJobs(0)
	_, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
	wantError(t, err, "NotFoundException")
}

func TestDeleteEnterpriseAccount(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	id := e.createEnterpriseAccount(t, keyA, "EnterpriseLWA", "example.com")
	user, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(id), Email: aws.String("staff@example.com")})
	noErr(t, err)

	// Its claimed domain must be released first; releasing suspends its users.
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String(id)})
	wantError(t, err, "UnprocessableEntityException")
	wantStatus(t, e.releaseDomainHTTP(t, keyA, id, "example.com"), 204)
	got, err := c.GetUser(ctx, &chime.GetUserInput{AccountId: aws.String(id), UserId: user.User.UserId})
	noErr(t, err)
	if got.User.UserRegistrationStatus != types.RegistrationStatusSuspended {
		t.Errorf("after the domain was released the user is %s, want Suspended", got.User.UserRegistrationStatus)
	}
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String(id)})
	noErr(t, err)
	acct, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
	noErr(t, err)
	if acct.Account.AccountStatus != types.AccountStatusSuspended {
		t.Errorf("deleted account has status %s, want Suspended", acct.Account.AccountStatus)
	}

	// Its users keep their addresses until the purge, out of every listing:
	// the refusal of one of them elsewhere says where it is.
	other := aws.ToString(createTeamAccount(t, c, "other").AccountId)
	_, err = c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(other), Email: aws.String("Staff@example.com")})
	wantError(t, err, "ConflictException")
	if msg := err.Error(); !strings.Contains(msg, "in account "+id+", which was deleted on ") || !strings.Contains(msg, "until it is purged on ") {
		t.Errorf("refusal %q does not say the address is held by deleted account %s", msg, id)
	}
}

func TestClaimDomain(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	id := aws.ToString(createTeamAccount(t, c, "claims").AccountId)

	r := e.claimDomainHTTP(t, keyA, id, "example.com", "EnterpriseAD")
	wantStatus(t, r, 201)
	var out struct {
		Account struct{ AccountId, AccountType string }
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Account.AccountId != id || out.Account.AccountType != "EnterpriseDirectory" {
		t.Errorf("claim answered %s", r.body)
	}
	got, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
	noErr(t, err)
	if got.Account.AccountType != types.AccountTypeEnterpriseDirectory {
		t.Errorf("AccountType %s after claiming a domain, want EnterpriseDirectory", got.Account.AccountType)
	}

	tests := []struct {
		name, key, account, domain, accountType, want string
	}{
		{"claimed twice", keyA, id, "example.com", "EnterpriseAD", "ConflictException"},
		{"another type", keyA, id, "example.org", "EnterpriseLWA", "ConflictException"},
		{"not a domain", keyA, id, "localhost", "EnterpriseAD", "BadRequestException"},
		{"not an enterprise type", keyA, id, "example.net", "Team", "BadRequestException"},
		{"unknown account", keyA, "no-such-account", "example.net", "EnterpriseAD", "NotFoundException"},
		{"another tenant", keyB, id, "example.net", "EnterpriseAD", "NotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.claimDomainHTTP(t, tt.key, tt.account, tt.domain, tt.accountType)
			if r.errorType() != tt.want {
				t.Errorf("got %d %s %s, want %s", r.status, r.errorType(), r.body, tt.want)
			}
		})
	}
	if r := e.releaseDomainHTTP(t, keyA, id, "example.org"); r.errorType() != "NotFoundException" {
		t.Errorf("releasing an unclaimed domain: %d %s", r.status, r.body)
	}
	if r := e.releaseDomainHTTP(t, keyB, id, "example.com"); r.errorType() != "NotFoundException" {
		t.Errorf("another tenant releasing the domain: %d %s", r.status, r.body)
	}

	// Within an AWS account a domain is one Chime account's; another AWS
	// account's claim of it is its own, and tells it nothing.
	sameTenant := aws.ToString(createTeamAccount(t, c, "second").AccountId)
	if r := e.claimDomainHTTP(t, keyA, sameTenant, "EXAMPLE.com", "EnterpriseAD"); r.errorType() != "ConflictException" {
		t.Errorf("a domain another account of the same AWS account claimed: %d %s", r.status, r.body)
	}
	otherTenant := aws.ToString(createTeamAccount(t, e.client(keyB), "theirs").AccountId)
	wantStatus(t, e.claimDomainHTTP(t, keyB, otherTenant, "example.com", "EnterpriseAD"), 201)
	wantStatus(t, e.releaseDomainHTTP(t, keyB, otherTenant, "example.com"), 204)
	if r := e.releaseDomainHTTP(t, keyA, id, "example.com"); r.status != 204 {
		t.Errorf("releasing after the other tenant released its own claim: %d %s", r.status, r.body)
	}
}

func TestAccountSettings(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	id := createTeamAccount(t, c, "settings").AccountId

	get := func() types.AccountSettings {
		t.Helper()
		out, err := c.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: id})
		noErr(t, err)
		return *out.AccountSettings
	}
	if s := get(); aws.ToBool(s.DisableRemoteControl) || aws.ToBool(s.EnableDialOut) {
		t.Errorf("new account settings %+v, want both false", s)
	}
	// Each update changes only the settings it names.
	_, err := c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: id,
		AccountSettings: &types.AccountSettings{DisableRemoteControl: aws.Bool(true)}})
	noErr(t, err)
	if s := get(); !aws.ToBool(s.DisableRemoteControl) || aws.ToBool(s.EnableDialOut) {
		t.Errorf("after setting DisableRemoteControl: %+v", s)
	}
	_, err = c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: id,
		AccountSettings: &types.AccountSettings{EnableDialOut: aws.Bool(true)}})
	noErr(t, err)
	if s := get(); !aws.ToBool(s.DisableRemoteControl) || !aws.ToBool(s.EnableDialOut) {
		t.Errorf("after setting EnableDialOut: %+v", s)
	}
	_, err = c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: id,
		AccountSettings: &types.AccountSettings{DisableRemoteControl: aws.Bool(false)}})
	noErr(t, err)
	if s := get(); aws.ToBool(s.DisableRemoteControl) || !aws.ToBool(s.EnableDialOut) {
		t.Errorf("after clearing DisableRemoteControl: %+v", s)
	}

	missing := aws.String("no-such-account")
	_, err = c.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: missing})
	wantError(t, err, "NotFoundException")
	_, err = c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: missing,
		AccountSettings: &types.AccountSettings{EnableDialOut: aws.Bool(true)}})
	wantError(t, err, "NotFoundException")
}

func TestSigninDelegateGroups(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	groups := func(names ...string) []types.SigninDelegateGroup {
		var out []types.SigninDelegateGroup
		for _, n := range names {
			out = append(out, types.SigninDelegateGroup{GroupName: aws.String(n)})
		}
		return out
	}

	// Sign-in delegate groups are Active Directory groups.
	team := createTeamAccount(t, c, "team").AccountId
	lwa := aws.String(e.createEnterpriseAccount(t, keyA, "EnterpriseLWA", "lwa.example.com"))
	for _, id := range []*string{team, lwa} {
		_, err := c.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{
			AccountId: id, SigninDelegateGroups: groups("admins")})
		wantError(t, err, "ForbiddenException")
		_, err = c.DisassociateSigninDelegateGroupsFromAccount(ctx, &chime.DisassociateSigninDelegateGroupsFromAccountInput{
			AccountId: id, GroupNames: []string{"admins"}})
		wantError(t, err, "ForbiddenException")
	}

	id := aws.String(e.createEnterpriseAccount(t, keyA, "EnterpriseAD", "ad.example.com"))
	wantGroups := func(want ...string) {
		t.Helper()
		out, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
		noErr(t, err)
		var got []string
		for _, g := range out.Account.SigninDelegateGroups {
			got = append(got, aws.ToString(g.GroupName))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("SigninDelegateGroups %q, want %q", got, want)
		}
	}
	_, err := c.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId: id, SigninDelegateGroups: groups("admins", "staff")})
	noErr(t, err)
	// Associating a group again does not list it twice.
	_, err = c.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId: id, SigninDelegateGroups: groups("staff", "guests")})
	noErr(t, err)
	wantGroups("admins", "guests", "staff")
	_, err = c.DisassociateSigninDelegateGroupsFromAccount(ctx, &chime.DisassociateSigninDelegateGroupsFromAccountInput{
		AccountId: id, GroupNames: []string{"staff", "never-associated"}})
	noErr(t, err)
	wantGroups("admins", "guests")

	_, err = c.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId: aws.String("no-such-account"), SigninDelegateGroups: groups("admins")})
	wantError(t, err, "NotFoundException")
	_, err = c.DisassociateSigninDelegateGroupsFromAccount(ctx, &chime.DisassociateSigninDelegateGroupsFromAccountInput{
		AccountId: aws.String("no-such-account"), GroupNames: []string{"admins"}})
	wantError(t, err, "NotFoundException")
	// A group without a name is refused, naming the member.
	_, err = c.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId: id, SigninDelegateGroups: []types.SigninDelegateGroup{{}}})
	wantErrorMessage(t, err, "BadRequestException", "SigninDelegateGroups[0].GroupName")

	// The groups are in the account's record, which every GetAccount and
	// ListAccounts answers: 100 at most, with names of up to 256 bytes.
	_, err = c.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId: id, SigninDelegateGroups: groups("admins", strings.Repeat("g", 257))})
	wantErrorMessage(t, err, "BadRequestException", "SigninDelegateGroups[1].GroupName: at most 256 bytes")
	var many []string
	for i := range 98 {
		many = append(many, fmt.Sprintf("group-%02d", i))
	}
	_, err = c.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId: id, SigninDelegateGroups: groups(append(many, "admins", "one-too-many")...)})
	wantErrorMessage(t, err, "BadRequestException", "at most 100 sign-in delegate groups; this would make 101")
	wantGroups("admins", "guests")
	_, err = c.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId: id, SigninDelegateGroups: groups(append(many, "admins")...)})
	noErr(t, err)
	all := slices.Concat([]string{"admins"}, many, []string{"guests"}) // sorted
	wantGroups(all...)
}

// wantErrorMessage is wantError that also checks the message mentions want.
func wantErrorMessage(t *testing.T, err error, errorType, want string) {
	t.Helper()
	wantError(t, err, errorType)
	if msg := err.Error(); !strings.Contains(msg, want) {
		t.Errorf("error %q does not mention %q", msg, want)
	}
}

// At the very millisecond a deleted account's time in the disabled list
// ends, it is gone and, once the jobs of that moment ran, purged: its
// users' addresses are free again. A test that advances the clock by
// exactly 90 days within the millisecond of the deletion must see both.
func TestDisabledListEndsToTheMillisecond(t *testing.T) {
	e := start(t)
	e.clock.Stop()
	c := e.client(keyA)
	id := e.createEnterpriseAccount(t, keyA, "EnterpriseLWA", "example.com")
	_, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(id), Email: aws.String("left@example.com")})
	noErr(t, err)
	wantStatus(t, e.releaseDomainHTTP(t, keyA, id, "example.com"), 204)
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String(id)})
	noErr(t, err)
	other := aws.ToString(createTeamAccount(t, c, "other").AccountId)
	reuse := func() error {
		_, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(other), Email: aws.String("left@example.com")})
		return err
	}

	e.runJobs(chimed.DeletedAccountRetention - time.Millisecond)
	if _, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)}); err != nil {
		t.Fatalf("a millisecond before its end in the disabled list: %v", err)
	}
	wantError(t, reuse(), "ConflictException")

	e.runJobs(time.Millisecond)
	_, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
	wantError(t, err, "NotFoundException")
	noErr(t, reuse())
}

// A claim without Domain or AccountType is a 400 naming the missing
// member, not a failure of the server's.
func TestClaimDomainRequiredMembers(t *testing.T) {
	e := start(t)
	id := aws.ToString(createTeamAccount(t, e.client(keyA), "claims").AccountId)
	for _, tt := range []struct {
		name, body, member string
	}{
		{"no Domain", `{"AccountType":"EnterpriseLWA"}`, "Domain"},
		{"no AccountType", `{"Domain":"example.com"}`, "AccountType"},
		{"empty body", `{}`, "Domain"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.send(t, keyA, rawRequest{method: "POST", path: "/_chimed/accounts/" + escapeLabel(id) + "/domains", body: []byte(tt.body)})
			if r.status != 400 || r.errorType() != "BadRequestException" || !strings.HasPrefix(r.message(), tt.member+": ") {
				t.Errorf("got %v, want a 400 BadRequestException naming %s", r, tt.member)
			}
		})
	}
	got, err := e.client(keyA).GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
	noErr(t, err)
	if got.Account.AccountType != types.AccountTypeTeam {
		t.Errorf("AccountType %s after refused claims, want Team", got.Account.AccountType)
	}
}
