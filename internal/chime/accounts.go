package chime

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// Account is a Chime account as the server keeps it.
type Account struct {
	AwsAccountID         string
	AccountID            string
	Name                 string
	AccountType          string
	DefaultLicense       string
	SupportedLicenses    []string
	SigninDelegateGroups []string
	// Domains are the domains claimed for an Enterprise account (the console's
	// "claim a domain" step, exposed as a /_chimed extension).
	Domains              []string
	DisableRemoteControl bool
	EnableDialOut        bool
	CreatedAt            time.Time
	// DeletedAt is set while a deleted account sits in the disabled list,
	// before it is purged.
	DeletedAt *time.Time
}

// AccountTx reads and writes accounts.
type AccountTx interface {
	InsertAccount(a *Account) error
	// SaveAccount replaces the stored account with the same AccountID.
	SaveAccount(a *Account) error
	// GetAccount returns the account, deleted or not, if it belongs to
	// awsAccountID; ErrNoRows otherwise.
	GetAccount(awsAccountID, accountID string) (*Account, error)
	// ListAccounts returns the live accounts of awsAccountID in AccountID
	// order that match f.
	ListAccounts(awsAccountID string, f AccountFilter, p Page) ([]*Account, error)
	// PurgeAccounts removes for good the accounts deleted at or before
	// cutoff, with their users, and says how many.
	PurgeAccounts(cutoff time.Time) (int, error)
	// ClaimDomain records that the account holds the domain; ErrNotUnique
	// when an account of the same AWS account holds it already (claims in
	// different AWS accounts are independent).
	ClaimDomain(awsAccountID, accountID, domain string) error
	ReleaseDomain(accountID, domain string) error
}

// AccountFilter narrows ListAccounts. Empty fields do not filter.
type AccountFilter struct {
	NamePrefix string
	// UserEmail keeps the account a user with this email belongs to.
	UserEmail string
}

// DeletedAccountRetention is how long a deleted account stays in the disabled
// accounts list before it is removed for good.
const DeletedAccountRetention = 90 * 24 * time.Hour

var teamLicenses = []string{model.LicenseBasic, model.LicensePro}

func (a *Account) toModel() *model.Account {
	status := model.AccountStatusActive
	if a.DeletedAt != nil {
		status = model.AccountStatusSuspended
	}
	out := &model.Account{
		AwsAccountId:      model.String(a.AwsAccountID),
		AccountId:         model.String(a.AccountID),
		Name:              model.String(a.Name),
		AccountType:       model.String(a.AccountType),
		AccountStatus:     model.String(status),
		DefaultLicense:    model.String(a.DefaultLicense),
		SupportedLicenses: a.SupportedLicenses,
		CreatedTimestamp:  model.TimeOf(a.CreatedAt),
	}
	for _, g := range a.SigninDelegateGroups {
		out.SigninDelegateGroups = append(out.SigninDelegateGroups, model.SigninDelegateGroup{GroupName: model.String(g)})
	}
	return out
}

func (a *Account) isEnterprise() bool { return a.AccountType != model.AccountTypeTeam }

// liveAccount loads an account of the caller that has not been deleted.
// Another AWS account's accounts do not exist for the caller.
func liveAccount(tx Tx, caller Caller, accountID string) (*Account, error) {
	a, err := tx.GetAccount(caller.AwsAccountID, accountID)
	if err := notFoundIfMissing(err, "Account", accountID); err != nil {
		return nil, err
	}
	if a.DeletedAt != nil {
		return nil, NotFound("Account %s not found", accountID)
	}
	return a, nil
}

func (s *Service) CreateAccount(ctx context.Context, caller Caller, in *model.CreateAccountRequest) (*model.CreateAccountResponse, error) {
	a := &Account{
		AwsAccountID:      caller.AwsAccountID,
		AccountID:         NewID(),
		Name:              *in.Name,
		AccountType:       model.AccountTypeTeam,
		DefaultLicense:    model.LicensePro,
		SupportedLicenses: teamLicenses,
	}
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a.CreatedAt = now
		return tx.InsertAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateAccountResponse{Account: a.toModel()}, nil
}

func (s *Service) GetAccount(ctx context.Context, caller Caller, in *model.GetAccountRequest) (*model.GetAccountResponse, error) {
	var a *Account
	err := s.store.Lookup(ctx, func(tx Tx) error {
		var err error
		a, err = tx.GetAccount(caller.AwsAccountID, *in.AccountId)
		return notFoundIfMissing(err, "Account", *in.AccountId)
	})
	if err != nil {
		return nil, err
	}
	// A deleted account stays visible, as Suspended, for its time in the
	// disabled list; after it, it is gone even before the purge job runs.
	if a.DeletedAt != nil && !s.now().Before(a.DeletedAt.Add(DeletedAccountRetention)) {
		return nil, NotFound("Account %s not found", *in.AccountId)
	}
	return &model.GetAccountResponse{Account: a.toModel()}, nil
}

func (s *Service) ListAccounts(ctx context.Context, caller Caller, in *model.ListAccountsRequest) (*model.ListAccountsResponse, error) {
	listing := listingOf("accounts", model.Value(in.Name), emailKey(model.Value(in.UserEmail)))
	after, err := s.decodeToken(in.NextToken, listing, caller.AwsAccountID)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults, 100)
	filter := AccountFilter{NamePrefix: model.Value(in.Name), UserEmail: emailKey(model.Value(in.UserEmail))}
	var found []*Account
	err = s.view(ctx, func(tx Tx) error {
		found, err = tx.ListAccounts(caller.AwsAccountID, filter, Page{After: after, Limit: limit + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.ListAccountsResponse{Accounts: []model.Account{}}
	for i, a := range found {
		if i == limit {
			break
		}
		out.Accounts = append(out.Accounts, *a.toModel())
	}
	if len(found) > limit {
		out.NextToken = s.encodeToken(listing, caller.AwsAccountID, found[limit-1].AccountID)
	}
	return out, nil
}

func (s *Service) UpdateAccount(ctx context.Context, caller Caller, in *model.UpdateAccountRequest) (*model.UpdateAccountResponse, error) {
	var a *Account
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		if a, err = liveAccount(tx, caller, *in.AccountId); err != nil {
			return err
		}
		if in.Name != nil {
			a.Name = *in.Name
		}
		if in.DefaultLicense != nil {
			if !slices.Contains(a.SupportedLicenses, *in.DefaultLicense) {
				return BadRequest("DefaultLicense: account %s supports only %s", a.AccountID, strings.Join(a.SupportedLicenses, ", "))
			}
			a.DefaultLicense = *in.DefaultLicense
		}
		return tx.SaveAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateAccountResponse{Account: a.toModel()}, nil
}

// DeleteAccount moves the account to the disabled list; the purge job removes
// it for good after DeletedAccountRetention.
func (s *Service) DeleteAccount(ctx context.Context, caller Caller, in *model.DeleteAccountRequest) (*model.DeleteAccountResponse, error) {
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := liveAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		// The request is well-formed but the account is not ready to go:
		// DeleteAccount's modelled error for that is UnprocessableEntity.
		if a.isEnterprise() && len(a.Domains) > 0 {
			return errorf(model.ErrorCodeUnprocessable, "account %s still has claimed domains %v: release them before deleting the account", a.AccountID, a.Domains)
		}
		if a.isEnterprise() {
			// Releasing the domains suspended every user, but users
			// created since are not: suspend them too, so that no user
			// of a deleted account keeps a phone number.
			if err := suspendAllUsers(tx, a.AccountID, now); err != nil {
				return err
			}
		}
		if !a.isEnterprise() {
			// Suspending a Team account's users removes them from it.
			n, err := tx.CountUsers(a.AccountID)
			if err != nil {
				return err
			}
			if n > 0 {
				return errorf(model.ErrorCodeUnprocessable, "account %s still has users (%d): suspend them with BatchSuspendUser first", a.AccountID, n)
			}
		}
		a.DeletedAt = &now
		if err := tx.SaveAccount(a); err != nil {
			return err
		}
		// Its rooms can no longer be reached, so a CreateRoom retry
		// cannot answer them: their tokens are free for other accounts.
		return tx.ForgetRoomTokens(a.AccountID)
	})
	if err != nil {
		return nil, err
	}
	return &model.DeleteAccountResponse{}, nil
}

// PurgeDeletedAccounts removes the accounts whose time in the disabled list is
// over. It is run by the background jobs. Their rooms' messages go with
// them, so like a retention deletion it scrubs the store.
func (s *Service) PurgeDeletedAccounts(ctx context.Context) (int, error) {
	var n int
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		n, err = tx.PurgeAccounts(now.Add(-DeletedAccountRetention))
		return err
	})
	if err != nil || n == 0 {
		return n, err
	}
	return n, s.store.Scrub(ctx)
}

func (s *Service) GetAccountSettings(ctx context.Context, caller Caller, in *model.GetAccountSettingsRequest) (*model.GetAccountSettingsResponse, error) {
	var a *Account
	err := s.view(ctx, func(tx Tx) error {
		var err error
		a, err = liveAccount(tx, caller, *in.AccountId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.GetAccountSettingsResponse{AccountSettings: &model.AccountSettings{
		DisableRemoteControl: model.Bool(a.DisableRemoteControl),
		EnableDialOut:        model.Bool(a.EnableDialOut),
	}}, nil
}

// UpdateAccountSettings changes only the settings present in the request.
func (s *Service) UpdateAccountSettings(ctx context.Context, caller Caller, in *model.UpdateAccountSettingsRequest) (*model.UpdateAccountSettingsResponse, error) {
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := liveAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		if v := in.AccountSettings.DisableRemoteControl; v != nil {
			a.DisableRemoteControl = *v
		}
		if v := in.AccountSettings.EnableDialOut; v != nil {
			a.EnableDialOut = *v
		}
		return tx.SaveAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateAccountSettingsResponse{}, nil
}

// The limits on sign-in delegate groups are chimed's (the model sets none):
// every group is in the account's record, which GetAccount and ListAccounts
// answer. An Active Directory group's name (sAMAccountName) is at most 256
// characters.
const (
	maxDelegateGroups  = 100
	maxGroupNameLength = 256
)

// Sign-in delegate groups are Active Directory groups, so only an
// EnterpriseDirectory account has them.
func (s *Service) AssociateSigninDelegateGroupsWithAccount(ctx context.Context, caller Caller, in *model.AssociateSigninDelegateGroupsWithAccountRequest) (*model.AssociateSigninDelegateGroupsWithAccountResponse, error) {
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := delegateGroupAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		held := map[string]bool{}
		for _, g := range a.SigninDelegateGroups {
			held[g] = true
		}
		for i, g := range in.SigninDelegateGroups {
			switch {
			case g.GroupName == nil:
				return BadRequest("SigninDelegateGroups[%d].GroupName: required member is missing", i)
			case len(*g.GroupName) > maxGroupNameLength:
				return BadRequest("SigninDelegateGroups[%d].GroupName: at most %d bytes, got %d", i, maxGroupNameLength, len(*g.GroupName))
			case !held[*g.GroupName]:
				held[*g.GroupName] = true
				a.SigninDelegateGroups = append(a.SigninDelegateGroups, *g.GroupName)
			}
		}
		if n := len(a.SigninDelegateGroups); n > maxDelegateGroups {
			return BadRequest("SigninDelegateGroups: an account has at most %d sign-in delegate groups; this would make %d", maxDelegateGroups, n)
		}
		return tx.SaveAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return &model.AssociateSigninDelegateGroupsWithAccountResponse{}, nil
}

func (s *Service) DisassociateSigninDelegateGroupsFromAccount(ctx context.Context, caller Caller, in *model.DisassociateSigninDelegateGroupsFromAccountRequest) (*model.DisassociateSigninDelegateGroupsFromAccountResponse, error) {
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := delegateGroupAccount(tx, caller, *in.AccountId)
		if err != nil {
			return err
		}
		gone := map[string]bool{}
		for _, g := range in.GroupNames {
			gone[g] = true
		}
		a.SigninDelegateGroups = slices.DeleteFunc(a.SigninDelegateGroups, func(g string) bool { return gone[g] })
		return tx.SaveAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return &model.DisassociateSigninDelegateGroupsFromAccountResponse{}, nil
}

func delegateGroupAccount(tx Tx, caller Caller, accountID string) (*Account, error) {
	a, err := liveAccount(tx, caller, accountID)
	if err != nil {
		return nil, err
	}
	if a.AccountType != model.AccountTypeEnterpriseDirectory {
		return nil, Forbidden("account %s is a %s account: sign-in delegate groups are Active Directory groups and need an EnterpriseDirectory account", a.AccountID, a.AccountType)
	}
	return a, nil
}

// enterpriseTypes are the account types a claimed domain can make. The
// console calls the Active Directory type "EnterpriseAD"; the API's enum value
// is EnterpriseDirectory, and both spellings are accepted.
var enterpriseTypes = map[string]string{
	model.AccountTypeEnterpriseLWA:       model.AccountTypeEnterpriseLWA,
	model.AccountTypeEnterpriseDirectory: model.AccountTypeEnterpriseDirectory,
	"EnterpriseAD":                       model.AccountTypeEnterpriseDirectory,
	model.AccountTypeEnterpriseOIDC:      model.AccountTypeEnterpriseOIDC,
}

// ClaimDomain is the console's "claim a domain" step: the account becomes an
// Enterprise account of the given type.
func (s *Service) ClaimDomain(ctx context.Context, caller Caller, accountID, domain, accountType string) (*model.Account, error) {
	if !validDomain(domain) {
		return nil, BadRequest("Domain: %q is not a domain name", domain)
	}
	typ, ok := enterpriseTypes[accountType]
	if !ok {
		return nil, BadRequest("AccountType: must be one of EnterpriseLWA, EnterpriseDirectory (or EnterpriseAD), EnterpriseOIDC")
	}
	var a *Account
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		if a, err = liveAccount(tx, caller, accountID); err != nil {
			return err
		}
		if a.isEnterprise() && a.AccountType != typ {
			return Conflict("account %s is already an %s account", a.AccountID, a.AccountType)
		}
		if err := tx.ClaimDomain(a.AwsAccountID, a.AccountID, domain); errors.Is(err, ErrNotUnique) {
			return Conflict("domain %s is already claimed in this AWS account, by this account or another", domain)
		} else if err != nil {
			return err
		}
		a.AccountType = typ
		a.Domains = append(a.Domains, domain)
		return tx.SaveAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return a.toModel(), nil
}

// ReleaseDomain gives up a claimed domain. As in Chime, releasing a domain
// suspends all users of the account.
func (s *Service) ReleaseDomain(ctx context.Context, caller Caller, accountID, domain string) error {
	return s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := liveAccount(tx, caller, accountID)
		if err != nil {
			return err
		}
		err = tx.ReleaseDomain(a.AccountID, domain)
		if errors.Is(err, ErrNoRows) {
			return NotFound("domain %s is not claimed by account %s", domain, a.AccountID)
		} else if err != nil {
			return err
		}
		a.Domains = slices.DeleteFunc(a.Domains, func(d string) bool { return strings.EqualFold(d, domain) })
		if err := tx.SaveAccount(a); err != nil {
			return err
		}
		return suspendAllUsers(tx, a.AccountID, now)
	})
}

func suspendAllUsers(tx Tx, accountID string, now time.Time) error {
	const batch = 500
	page := Page{Limit: batch}
	for {
		users, err := tx.ListUsers(accountID, UserFilter{}, page)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.RegistrationStatus == model.RegistrationStatusSuspended {
				continue
			}
			u.RegistrationStatus = model.RegistrationStatusSuspended
			u.LoggedOutAt = &now
			if err := releaseUserNumber(tx, u, now); err != nil {
				return err
			}
			if err := tx.SaveUser(u); err != nil {
				return err
			}
		}
		if len(users) < batch {
			return nil
		}
		page.After = users[len(users)-1].UserID
	}
}

// validDomain accepts DNS names of at least two labels of letters, digits and
// inner hyphens.
func validDomain(d string) bool {
	if len(d) == 0 || len(d) > 253 {
		return false
	}
	labels := 0
	for _, label := range strings.Split(d, ".") {
		labels++
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return labels >= 2
}
