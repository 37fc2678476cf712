package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/aws/smithy-go/middleware"
)

// withoutClientValidation stops the SDK from refusing a request that lacks a
// required member before sending it, so that the server's check is the one
// tested.
func withoutClientValidation(o *chime.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// TestConstraintKinds sends, through the official SDK, one request breaking
// each kind of constraint the model states. Each is a BadRequestException
// whose message names the member and the rule. (The model-walking suite
// covers every constrained member; this proves the SDK sees the refusals.)
func TestConstraintKinds(t *testing.T) {
	e := start(t)
	c := e.client(keyA)
	acct := createTeamAccount(t, c, "constraints").AccountId

	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"required", func() error {
			_, err := c.CreateAccount(ctx, &chime.CreateAccountInput{}, withoutClientValidation)
			return err
		}, "Name: required member is missing"},
		{"length", func() error {
			_, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(strings.Repeat("n", 101))})
			return err
		}, "Name: length must be between 1 and 100"},
		// Strings the model leaves unbounded are stored and answered a
		// listing's page at a time: chimed bounds them at 2048 characters.
		{"chimed's length limit", func() error {
			_, err := c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: acct, UserId: aws.String("u"),
				AlexaForBusinessMetadata: &types.AlexaForBusinessMetadata{AlexaForBusinessRoomArn: aws.String(strings.Repeat("é", 2049))}})
			return err
		}, "AlexaForBusinessMetadata.AlexaForBusinessRoomArn: length must be at most 2048 (chimed's limit: the model sets none)"},
		{"chimed's length limit in a list", func() error {
			_, err := c.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: []string{"+12065550100", strings.Repeat("1", 2049)}})
			return err
		}, "PhoneNumberIds[1]: length must be at most 2048 (chimed's limit: the model sets none)"},
		{"pattern", func() error {
			_, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("   ")})
			return err
		}, `Name: must match pattern .*\S.*`},
		{"pattern of an email", func() error {
			_, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: acct, Email: aws.String("not-an-email")})
			return err
		}, "Email: must match pattern"},
		{"enum", func() error {
			_, err := c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: acct, UserId: aws.String("u"), LicenseType: "Gold"})
			return err
		}, "LicenseType: must be one of Basic, Plus, Pro, ProTrial"},
		{"range", func() error {
			_, err := c.ListAccounts(ctx, &chime.ListAccountsInput{MaxResults: aws.Int32(0)})
			return err
		}, "MaxResults: must be between 1 and 200"},
		{"list max items", func() error {
			_, err := c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: acct, UserIdList: make([]string, 51)})
			return err
		}, "UserIdList: must contain at most 50 items"},
		{"list min items", func() error {
			_, err := c.DisassociateSigninDelegateGroupsFromAccount(ctx, &chime.DisassociateSigninDelegateGroupsFromAccountInput{
				AccountId: acct, GroupNames: []string{}})
			return err
		}, "GroupNames: must contain at least 1 item"},
		{"nested required", func() error {
			_, err := c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: acct,
				UpdateUserRequestItems: []types.UpdateUserRequestItem{{LicenseType: types.LicenseBasic}}}, withoutClientValidation)
			return err
		}, "UpdateUserRequestItems[0].UserId: required member is missing"},
		{"list item pattern", func() error {
			_, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acct, UserEmailList: []string{"a@example.com", "nobody"}})
			return err
		}, "UserEmailList[1]: must match pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErrorMessage(t, tt.call(), "BadRequestException", tt.want)
		})
	}

	// Nothing refused above was written.
	list, err := c.ListAccounts(ctx, &chime.ListAccountsInput{})
	noErr(t, err)
	if len(list.Accounts) != 1 {
		t.Errorf("%d accounts after refused creations, want 1", len(list.Accounts))
	}
	users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acct})
	noErr(t, err)
	if len(users.Users) != 0 {
		t.Errorf("%d users after refused calls, want 0", len(users.Users))
	}
}
