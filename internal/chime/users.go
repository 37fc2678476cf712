package chime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// User is a member of a Chime account as the server keeps it.
type User struct {
	AwsAccountID       string
	AccountID          string
	UserID             string
	Email              string
	DisplayName        string
	UserType           string
	LicenseType        string
	RegistrationStatus string
	InvitationStatus   string
	PersonalPIN        string
	// PrimaryProvisionedNumber is the E.164 number associated with the user.
	PrimaryProvisionedNumber string
	AlexaForBusinessRoomArn  string
	AlexaForBusinessEnabled  *bool
	InboundCalling           bool
	OutboundCalling          bool
	SMS                      bool
	InvitedOn                *time.Time
	RegisteredOn             *time.Time
	// LoggedOutAt is when LogoutUser last signed the user out everywhere.
	LoggedOutAt *time.Time
	CreatedAt   time.Time
}

// Invite is an invitation sent by InviteUsers.
type Invite struct {
	InviteID     string
	AwsAccountID string
	AccountID    string
	UserID       string
	Email        string
	Status       string
	EmailStatus  string
	// Token is the secret of the invitation's sign-up link.
	Token     string
	CreatedAt time.Time
}

// UserTx reads and writes users and their invitations.
type UserTx interface {
	// InsertUser fails with ErrNotUnique when the email is already used in
	// the AWS account, and with ErrIDTaken when the user's ID cannot be
	// used (it maps to the store's key of another user).
	InsertUser(u *User) error
	SaveUser(u *User) error
	// GetUser returns ErrNoRows when the user is not in the account.
	GetUser(accountID, userID string) (*User, error)
	// GetLiveUser reads a user and whether its account is live, in one
	// statement: ErrNoAccount when the account is not awsAccountID's or is
	// deleted, ErrNoRows when the user is not in it.
	GetLiveUser(awsAccountID, accountID, userID string) (*User, error)
	// FindUserByEmail looks an email (lower-cased) up across the AWS account.
	FindUserByEmail(awsAccountID, email string) (*User, error)
	ListUsers(accountID string, f UserFilter, p Page) ([]*User, error)
	DeleteUser(accountID, userID string) error
	CountUsers(accountID string) (int, error)
	InsertInvite(inv *Invite) error
}

// UserFilter narrows ListUsers. Empty fields do not filter.
type UserFilter struct {
	// Email is an email key (emailKey). AwsAccountID, the account's AWS
	// account, goes with it: an email is unique within an AWS account,
	// which is how a store finds its user among millions.
	Email        string
	AwsAccountID string
	UserType     string
}

func (u *User) toModel() *model.User {
	out := &model.User{
		AccountId:                model.String(u.AccountID),
		UserId:                   model.String(u.UserID),
		UserType:                 model.String(u.UserType),
		LicenseType:              model.String(u.LicenseType),
		UserRegistrationStatus:   model.String(u.RegistrationStatus),
		PersonalPIN:              optional(u.PersonalPIN),
		PrimaryEmail:             optional(u.Email),
		DisplayName:              optional(u.DisplayName),
		PrimaryProvisionedNumber: optional(u.PrimaryProvisionedNumber),
		UserInvitationStatus:     optional(u.InvitationStatus),
	}
	if u.InvitedOn != nil {
		out.InvitedOn = model.TimeOf(*u.InvitedOn)
	}
	if u.RegisteredOn != nil {
		out.RegisteredOn = model.TimeOf(*u.RegisteredOn)
	}
	if u.AlexaForBusinessEnabled != nil || u.AlexaForBusinessRoomArn != "" {
		out.AlexaForBusinessMetadata = &model.AlexaForBusinessMetadata{
			IsAlexaForBusinessEnabled: u.AlexaForBusinessEnabled,
			AlexaForBusinessRoomArn:   optional(u.AlexaForBusinessRoomArn),
		}
	}
	return out
}

// optional maps "" to an absent member.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// emailKey is the form emails are compared in: addresses are case-insensitive.
func emailKey(email string) string { return strings.ToLower(email) }

// maxEmailBytes is the longest address SMTP carries (RFC 5321, 4.5.3.1.3:
// a path of 256 octets, two of them its angle brackets). The model sets no
// limit; without one an address of a few thousand bytes overflowed
// PostgreSQL's index on emails, an internal error, while SQLite stored it.
const maxEmailBytes = 254

// checkEmail refuses what the model's pattern lets through but no mailbox
// is: an address too long for SMTP, or with white space or another character
// that shows nothing (" ana@example.com" pasted from a list, or
// "\ufeffana@example.com" from a CSV export, would otherwise be a second
// user beside ana's).
func checkEmail(member, email string) error {
	switch {
	case len(email) > maxEmailBytes:
		return BadRequest("%s: an email address has at most %d bytes (RFC 5321), got %d", member, maxEmailBytes, len(email))
	case strings.ContainsFunc(email, invisible):
		return BadRequest("%s: an email address has no white space, control or invisible formatting characters, got %q", member, email)
	}
	return nil
}

// liveUser loads a user of one of the caller's live accounts, in one
// statement.
func liveUser(tx Tx, caller Caller, accountID, userID string) (*User, error) {
	u, err := tx.GetLiveUser(caller.AwsAccountID, accountID, userID)
	if errors.Is(err, ErrNoAccount) {
		return nil, NotFound("Account %s not found", accountID)
	}
	if err := notFoundIfMissing(err, "User", userID); err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Service) CreateUser(ctx context.Context, caller Caller, in *model.CreateUserRequest) (*model.CreateUserResponse, error) {
	if err := checkEmail("Email", model.Value(in.Email)); err != nil {
		return nil, err
	}
	var u *User
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := liveAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		u = &User{
			AwsAccountID:       a.AwsAccountID,
			AccountID:          a.AccountID,
			UserID:             NewUserID(),
			Email:              model.Value(in.Email),
			DisplayName:        model.Value(in.Username),
			UserType:           model.UserTypePrivateUser,
			LicenseType:        a.DefaultLicense,
			RegistrationStatus: model.RegistrationStatusRegistered,
			PersonalPIN:        randomDigits(10),
			InboundCalling:     true,
			OutboundCalling:    true,
			SMS:                true,
			RegisteredOn:       &now,
			CreatedAt:          now,
		}
		if in.UserType != nil {
			u.UserType = *in.UserType
		}
		if err := checkNotBotAddress(tx, "Email", a.AwsAccountID, u.Email, Conflict); err != nil {
			return err
		}
		return insertNewUser(tx, u)
	})
	if errors.Is(err, ErrNotUnique) {
		return nil, s.emailTaken(ctx, caller, u.Email)
	}
	if err != nil {
		return nil, err
	}
	return &model.CreateUserResponse{User: u.toModel()}, nil
}

// emailTaken refuses an address that another user of the AWS account has,
// saying where that user is: it may be in a deleted account, which no
// listing shows but which keeps its users until it is purged.
func (s *Service) emailTaken(ctx context.Context, caller Caller, email string) error {
	where := ""
	err := s.view(ctx, func(tx Tx) error {
		u, err := tx.FindUserByEmail(caller.AwsAccountID, emailKey(email))
		if err != nil {
			return err
		}
		a, err := tx.GetAccount(caller.AwsAccountID, u.AccountID)
		if err != nil {
			return err
		}
		where = " in account " + a.AccountID
		if a.DeletedAt != nil {
			where += fmt.Sprintf(", which was deleted on %s and keeps its users until it is purged on %s",
				a.DeletedAt.Format(time.DateOnly), a.DeletedAt.Add(DeletedAccountRetention).Format(time.DateOnly))
		}
		return nil
	})
	// The user may have gone since the insert failed; the refusal stands.
	if err != nil && !errors.Is(err, ErrNoRows) {
		return err
	}
	return Conflict("a user with email %s already exists%s", email, where)
}

// checkNotBotAddress refuses, with refusal naming member, an address that a
// bot of the AWS account has: a bot's address names it as a sender and in
// mentions, so no user may have it too.
func checkNotBotAddress(tx Tx, member, awsAccountID, email string, refusal func(string, ...any) *Error) error {
	b, err := tx.FindBotByEmail(awsAccountID, emailKey(email))
	switch {
	case errors.Is(err, ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return refusal("%s: %s is the address of bot %s of account %s", member, email, b.BotID, b.AccountID)
}

// insertNewUser inserts a user made here, giving it another ID while the
// store cannot take the one it has.
func insertNewUser(tx Tx, u *User) error {
	for {
		err := tx.InsertUser(u)
		if !errors.Is(err, ErrIDTaken) {
			return err
		}
		u.UserID = NewUserID()
	}
}

// lookupUser reads a user of one of the caller's live accounts.
func (s *Service) lookupUser(ctx context.Context, caller Caller, accountID, userID string) (*User, error) {
	var u *User
	err := s.store.Lookup(ctx, func(tx Tx) error {
		var err error
		u, err = liveUser(tx, caller, accountID, userID)
		return err
	})
	return u, err
}

func (s *Service) GetUser(ctx context.Context, caller Caller, in *model.GetUserRequest) (*model.GetUserResponse, error) {
	u, err := s.lookupUser(ctx, caller, *in.AccountId, *in.UserId)
	if err != nil {
		return nil, err
	}
	return &model.GetUserResponse{User: u.toModel()}, nil
}

func (s *Service) ListUsers(ctx context.Context, caller Caller, in *model.ListUsersRequest) (*model.ListUsersResponse, error) {
	listing := listingOf("users", *in.AccountId, emailKey(model.Value(in.UserEmail)), model.Value(in.UserType))
	after, err := s.decodeToken(in.NextToken, listing, caller.AwsAccountID)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults, 100)
	filter := UserFilter{Email: emailKey(model.Value(in.UserEmail)), AwsAccountID: caller.AwsAccountID, UserType: model.Value(in.UserType)}
	var found []*User
	err = s.view(ctx, func(tx Tx) error {
		if _, err := liveAccount(tx, caller, *in.AccountId); err != nil {
			return err
		}
		found, err = tx.ListUsers(*in.AccountId, filter, Page{After: after, Limit: limit + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.ListUsersResponse{Users: make([]model.User, 0, min(len(found), limit))}
	for i, u := range found {
		if i == limit {
			break
		}
		out.Users = append(out.Users, *u.toModel())
	}
	if len(found) > limit {
		out.NextToken = s.encodeToken(listing, caller.AwsAccountID, found[limit-1].UserID)
	}
	return out, nil
}

func (s *Service) UpdateUser(ctx context.Context, caller Caller, in *model.UpdateUserRequest) (*model.UpdateUserResponse, error) {
	var u *User
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := liveAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		u, err = tx.GetUser(a.AccountID, *in.UserId)
		if err := notFoundIfMissing(err, "User", *in.UserId); err != nil {
			return err
		}
		if err := applyUserUpdate(a, u, in.LicenseType, in.UserType, in.AlexaForBusinessMetadata); err != nil {
			return err
		}
		return tx.SaveUser(u)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateUserResponse{User: u.toModel()}, nil
}

// applyUserUpdate changes the members present; a license must be one the
// account supports.
func applyUserUpdate(a *Account, u *User, license, userType *string, alexa *model.AlexaForBusinessMetadata) error {
	if license != nil {
		if !slices.Contains(a.SupportedLicenses, *license) {
			return BadRequest("LicenseType: account %s supports only %s", a.AccountID, strings.Join(a.SupportedLicenses, ", "))
		}
		u.LicenseType = *license
	}
	if userType != nil {
		u.UserType = *userType
	}
	if alexa != nil {
		if alexa.IsAlexaForBusinessEnabled != nil {
			u.AlexaForBusinessEnabled = alexa.IsAlexaForBusinessEnabled
		}
		if alexa.AlexaForBusinessRoomArn != nil {
			u.AlexaForBusinessRoomArn = *alexa.AlexaForBusinessRoomArn
		}
	}
	return nil
}

// BatchUpdateUser applies each item on its own: a failing item is reported in
// UserErrors and does not stop the others.
func (s *Service) BatchUpdateUser(ctx context.Context, caller Caller, in *model.BatchUpdateUserRequest) (*model.BatchUpdateUserResponse, error) {
	out := &model.BatchUpdateUserResponse{}
	items := in.UpdateUserRequestItems
	userID := func(i int) string { return *items[i].UserId }
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := liveAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		out.UserErrors, err = eachInLockOrder(len(items), userID, func(i int) error {
			item := items[i]
			u, err := tx.GetUser(a.AccountID, *item.UserId)
			if err != nil {
				return err
			}
			if err := applyUserUpdate(a, u, item.LicenseType, item.UserType, item.AlexaForBusinessMetadata); err != nil {
				return err
			}
			return tx.SaveUser(u)
		}, userErrorOf(userID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// userErrorOf is userError for the batch item whose user ID is userID(i).
func userErrorOf(userID func(i int) string) func(i int, err error) (model.UserError, bool) {
	return func(i int, err error) (model.UserError, bool) { return userError(userID(i), err) }
}

// userError turns a refusal about one user of a batch into its UserError.
// Internal failures are not item errors: they fail the whole call.
func userError(userID string, err error) (model.UserError, bool) {
	if errors.Is(err, ErrNoRows) {
		err = NotFound("User %s not found", userID)
	}
	var e *Error
	if !errors.As(err, &e) {
		return model.UserError{}, false
	}
	return model.UserError{UserId: model.String(userID), ErrorCode: model.String(e.Code), ErrorMessage: model.String(e.Message)}, true
}

// InviteUsers invites people by email to a Team account. Each invitee becomes
// an Unregistered user with a Pending invitation until they accept.
func (s *Service) InviteUsers(ctx context.Context, caller Caller, in *model.InviteUsersRequest) (*model.InviteUsersResponse, error) {
	for i, email := range in.UserEmailList {
		if err := checkEmail(fmt.Sprintf("UserEmailList[%d]", i), email); err != nil {
			return nil, err
		}
	}
	var invites []*Invite
	var accountName string
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		invites = invites[:0]
		a, err := liveAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		if a.AccountType != model.AccountTypeTeam {
			return Forbidden("account %s is a %s account: InviteUsers applies to Team accounts only", a.AccountID, a.AccountType)
		}
		accountName = a.Name
		seen := map[string]bool{}
		for i, email := range in.UserEmailList {
			if seen[emailKey(email)] {
				continue // one invitation per person, however often listed
			}
			seen[emailKey(email)] = true
			if err := checkNotBotAddress(tx, fmt.Sprintf("UserEmailList[%d]", i), a.AwsAccountID, email, BadRequest); err != nil {
				return err
			}
			inv, err := s.invite(tx, a, email, model.Value(in.UserType), now)
			if err != nil {
				return err
			}
			invites = append(invites, inv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Emailed once committed: an invitation that rolled back sends nothing.
	if err := s.emailInvites(ctx, accountName, invites); err != nil {
		return nil, err
	}
	out := &model.InviteUsersResponse{Invites: make([]model.Invite, 0, len(invites))}
	for _, inv := range invites {
		out.Invites = append(out.Invites, model.Invite{
			InviteId:     model.String(inv.InviteID),
			EmailAddress: model.String(inv.Email),
			Status:       model.String(inv.Status),
			EmailStatus:  model.String(inv.EmailStatus),
		})
	}
	return out, nil
}

func (s *Service) invite(tx Tx, a *Account, email, userType string, now time.Time) (*Invite, error) {
	u, err := tx.FindUserByEmail(a.AwsAccountID, emailKey(email))
	switch {
	case errors.Is(err, ErrNoRows):
		u = &User{
			AwsAccountID:       a.AwsAccountID,
			AccountID:          a.AccountID,
			UserID:             NewUserID(),
			Email:              email,
			UserType:           model.UserTypePrivateUser,
			LicenseType:        a.DefaultLicense,
			RegistrationStatus: model.RegistrationStatusUnregistered,
			InvitationStatus:   model.InviteStatusPending,
			InboundCalling:     true,
			OutboundCalling:    true,
			SMS:                true,
			InvitedOn:          &now,
			CreatedAt:          now,
		}
		if userType != "" {
			u.UserType = userType
		}
		err := insertNewUser(tx, u)
		if errors.Is(err, ErrNotUnique) {
			// Added by a concurrent call since FindUserByEmail: run again
			// to invite the person it made.
			return nil, ErrRacedInsert
		}
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	status := model.InviteStatusPending
	switch {
	case u.AccountID != a.AccountID:
		// The person belongs to another account: InviteUsers has no error for
		// one address, so that invitation is reported as Failed.
		status = model.InviteStatusFailed
	case u.RegistrationStatus == model.RegistrationStatusRegistered:
		status = model.InviteStatusAccepted
	}
	inv := &Invite{
		InviteID:     NewID(),
		AwsAccountID: a.AwsAccountID,
		AccountID:    a.AccountID,
		UserID:       u.UserID,
		Email:        email,
		Status:       status,
		// Sent or Failed once emailInvites has tried the SMTP relay.
		EmailStatus: model.EmailStatusNotSent,
		Token:       newWebhookToken(),
		CreatedAt:   now,
	}
	return inv, tx.InsertInvite(inv)
}

// BatchSuspendUser removes users from a Team account (they may be invited
// again) or suspends users of an EnterpriseLWA account (signed out, unable to
// sign in until unsuspended).
func (s *Service) BatchSuspendUser(ctx context.Context, caller Caller, in *model.BatchSuspendUserRequest) (*model.BatchSuspendUserResponse, error) {
	out := &model.BatchSuspendUserResponse{}
	// A user listed twice is suspended once: on a Team account the second
	// mention would find the user already removed, and report as failed a
	// suspension that succeeded.
	ids := withoutRepeats(in.UserIdList, func(id string) string { return id })
	userID := func(i int) string { return ids[i] }
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := liveAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		if a.AccountType != model.AccountTypeTeam && a.AccountType != model.AccountTypeEnterpriseLWA {
			return Forbidden("account %s is a %s account: BatchSuspendUser applies to Team and EnterpriseLWA accounts", a.AccountID, a.AccountType)
		}
		out.UserErrors, err = eachInLockOrder(len(ids), userID, func(i int) error {
			u, err := tx.GetUser(a.AccountID, ids[i])
			if err != nil {
				return err
			}
			// Removed or suspended, the user gives their phone number back
			// to the inventory (phoneusers.go).
			if err := releaseUserNumber(tx, u, now); err != nil {
				return err
			}
			if a.AccountType == model.AccountTypeTeam {
				return tx.DeleteUser(a.AccountID, ids[i])
			}
			u.RegistrationStatus = model.RegistrationStatusSuspended
			u.LoggedOutAt = &now
			return tx.SaveUser(u)
		}, userErrorOf(userID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// BatchUnsuspendUser returns suspended EnterpriseLWA users to Registered (or
// Unregistered, if they never registered); users who are not suspended are
// left as they are.
func (s *Service) BatchUnsuspendUser(ctx context.Context, caller Caller, in *model.BatchUnsuspendUserRequest) (*model.BatchUnsuspendUserResponse, error) {
	out := &model.BatchUnsuspendUserResponse{}
	// A user listed twice is unsuspended once, and reported once if not
	// found, as in BatchSuspendUser.
	ids := withoutRepeats(in.UserIdList, func(id string) string { return id })
	userID := func(i int) string { return ids[i] }
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := liveAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		if a.AccountType != model.AccountTypeEnterpriseLWA {
			return Forbidden("account %s is a %s account: only EnterpriseLWA users can be unsuspended (suspended Team users are invited again instead)", a.AccountID, a.AccountType)
		}
		out.UserErrors, err = eachInLockOrder(len(ids), userID, func(i int) error {
			u, err := tx.GetUser(a.AccountID, ids[i])
			if err != nil || u.RegistrationStatus != model.RegistrationStatusSuspended {
				return err
			}
			// Back to the status the suspension interrupted: an invitee
			// who never accepted registers by following the link.
			u.RegistrationStatus = model.RegistrationStatusRegistered
			if u.RegisteredOn == nil {
				u.RegistrationStatus = model.RegistrationStatusUnregistered
			}
			return tx.SaveUser(u)
		}, userErrorOf(userID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) ResetPersonalPIN(ctx context.Context, caller Caller, in *model.ResetPersonalPINRequest) (*model.ResetPersonalPINResponse, error) {
	var u *User
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		if u, err = liveUser(tx, caller, *in.AccountId, *in.UserId); err != nil {
			return err
		}
		u.PersonalPIN = randomDigits(10)
		return tx.SaveUser(u)
	})
	if err != nil {
		return nil, err
	}
	return &model.ResetPersonalPINResponse{User: u.toModel()}, nil
}

// LogoutUser records that the user was signed out of every device.
func (s *Service) LogoutUser(ctx context.Context, caller Caller, in *model.LogoutUserRequest) (*model.LogoutUserResponse, error) {
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		u, err := liveUser(tx, caller, *in.AccountId, *in.UserId)
		if err != nil {
			return err
		}
		u.LoggedOutAt = &now
		return tx.SaveUser(u)
	})
	if err != nil {
		return nil, err
	}
	return &model.LogoutUserResponse{}, nil
}

func (s *Service) GetUserSettings(ctx context.Context, caller Caller, in *model.GetUserSettingsRequest) (*model.GetUserSettingsResponse, error) {
	u, err := s.lookupUser(ctx, caller, *in.AccountId, *in.UserId)
	if err != nil {
		return nil, err
	}
	return &model.GetUserSettingsResponse{UserSettings: &model.UserSettings{Telephony: &model.TelephonySettings{
		InboundCalling:  model.Bool(u.InboundCalling),
		OutboundCalling: model.Bool(u.OutboundCalling),
		SMS:             model.Bool(u.SMS),
	}}}, nil
}

func (s *Service) UpdateUserSettings(ctx context.Context, caller Caller, in *model.UpdateUserSettingsRequest) error {
	return s.update(ctx, func(tx Tx, now time.Time) error {
		u, err := liveUser(tx, caller, *in.AccountId, *in.UserId)
		if err != nil {
			return err
		}
		t := in.UserSettings.Telephony
		u.InboundCalling, u.OutboundCalling, u.SMS = *t.InboundCalling, *t.OutboundCalling, *t.SMS
		return tx.SaveUser(u)
	})
}
