package chime

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// Mailer sends email through an SMTP relay. internal/outbound implements it.
type Mailer interface {
	// Send delivers a plain-text message to one recipient; an error means
	// the relay did not accept it.
	Send(ctx context.Context, to, subject, body string) error
}

// InvitationTx reads and writes invitations by their ID.
type InvitationTx interface {
	// GetInvite finds an invitation by its ID alone: its link is its
	// credential.
	GetInvite(inviteID string) (*Invite, error)
	SaveInvite(inv *Invite) error
	// ListInvites lists an account's invitations in invite ID order.
	ListInvites(accountID string, p Page) ([]*Invite, error)
	// UserInvites lists the invitations of one user of an account.
	UserInvites(accountID, userID string) ([]*Invite, error)
}

// The emails of one InviteUsers call go out a few at a time, all within a
// budget: the SDKs give up on a call after 60 s and send it again, which
// would invite everyone again. An email the relay has not taken within the
// budget is Failed; inviting the person again sends another.
const (
	invitationMailBudget   = 20 * time.Second
	invitationMailParallel = 10
)

// InvitationURL is the sign-up link of an invitation on this server, or ""
// for a Failed invitation, which has none.
func (s *Service) InvitationURL(inv *Invite) string {
	if inv.Token == "" || inv.Status == model.InviteStatusFailed {
		return ""
	}
	return strings.TrimSuffix(s.integrations.PublicURL, "/") + "/invitations/" + url.PathEscape(inv.InviteID) + "?token=" + url.QueryEscape(inv.Token)
}

// emailInvites sends each pending invitation its email, after the
// invitations were committed, and records whether the relay took it: Sent
// or Failed. Without a relay they stay NotSent. A caller that hangs up does
// not stop it: the invitations exist, so their emails go and are recorded.
func (s *Service) emailInvites(ctx context.Context, accountName string, invites []*Invite) error {
	mailer := s.integrations.Mailer
	if mailer == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), invitationMailBudget)
	defer cancel()
	var mu sync.Mutex
	status := map[string]string{}
	slots := make(chan struct{}, invitationMailParallel)
	var wg sync.WaitGroup
	for _, inv := range invites {
		if inv.Status != model.InviteStatusPending {
			continue // accepted already, or the person is in another account
		}
		subject := fmt.Sprintf("You are invited to join %s on Amazon Chime", accountName)
		body := fmt.Sprintf("You have been invited to join the Amazon Chime account %s.\r\n\r\n"+
			"To accept the invitation and register, open this link:\r\n\r\n%s\r\n", accountName, s.InvitationURL(inv))
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			st := model.EmailStatusSent
			if err := mailer.Send(ctx, inv.Email, subject, body); err != nil {
				// The reason is the operator's (the relay's address and
				// answers): the log has it, the invitation only Failed.
				slog.WarnContext(ctx, "invitation email not sent", "invite_id", inv.InviteID, "error", err.Error())
				st = model.EmailStatusFailed
			}
			mu.Lock()
			status[inv.InviteID] = st
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(status) == 0 {
		return nil
	}
	// Past the budget's deadline, but the outcome must still be recorded.
	err := s.update(context.WithoutCancel(ctx), func(tx Tx, now time.Time) error {
		for id, st := range status {
			inv, err := tx.GetInvite(id)
			if errors.Is(err, ErrNoRows) {
				// Removed with its user while the email went out
				// (BatchSuspendUser on a Team account, the account's
				// purge, a test reset): nothing left to record.
				continue
			}
			if err != nil {
				return err
			}
			inv.EmailStatus = st
			if err := tx.SaveInvite(inv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, inv := range invites {
		if st, ok := status[inv.InviteID]; ok {
			inv.EmailStatus = st
		}
	}
	return nil
}

// Invitation is what an invitation link shows before it is accepted.
type Invitation struct {
	Invite      *Invite
	AccountName string
}

// GetInvitation checks an invitation link and says what it invites to.
func (s *Service) GetInvitation(ctx context.Context, inviteID, token string) (*Invitation, error) {
	var out *Invitation
	err := s.view(ctx, func(tx Tx) error {
		inv, a, err := invitation(tx, inviteID, token)
		if err != nil {
			return err
		}
		out = &Invitation{Invite: inv, AccountName: a.Name}
		return nil
	})
	return out, err
}

// AcceptInvitation accepts an invitation through its link: the invitee's
// user becomes Registered and the invitation Accepted. Accepting twice
// changes nothing. The caller it returns is the link's holder, once the
// token matched.
func (s *Service) AcceptInvitation(ctx context.Context, inviteID, token string) (*Invitation, Caller, error) {
	var out *Invitation
	var holder Caller
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		inv, a, err := invitation(tx, inviteID, token)
		if inv != nil {
			holder = tokenHolder(inv.AwsAccountID, "invitation", inv.InviteID)
		}
		if err != nil {
			return err
		}
		out = &Invitation{Invite: inv, AccountName: a.Name}
		if inv.Status == model.InviteStatusAccepted {
			return nil
		}
		u, err := tx.GetUser(inv.AccountID, inv.UserID)
		if errors.Is(err, ErrNoRows) {
			return NotFound("invitation %s is no longer valid: its user was removed from the account", inviteID)
		}
		if err != nil {
			return err
		}
		switch u.RegistrationStatus {
		case model.RegistrationStatusSuspended:
			// Only BatchUnsuspendUser lifts a suspension, not an old link.
			return Forbidden("invitation %s can no longer be accepted: its user %s is suspended", inviteID, u.UserID)
		case model.RegistrationStatusUnregistered:
			// Registering is when an invitee gets the personal meeting PIN
			// that CreateUser gives its users at once, unless
			// ResetPersonalPIN gave one already and told it.
			u.RegistrationStatus, u.RegisteredOn = model.RegistrationStatusRegistered, &now
			if u.PersonalPIN == "" {
				u.PersonalPIN = randomDigits(10)
			}
		}
		u.InvitationStatus = model.InviteStatusAccepted
		if err := tx.SaveUser(u); err != nil {
			return err
		}
		inv.Status = model.InviteStatusAccepted
		return acceptUserInvites(tx, u)
	})
	return out, holder, err
}

// acceptUserInvites marks Accepted every pending invitation of u: a person
// invited again before they answered (a resent invitation) accepts them
// all by following one link.
func acceptUserInvites(tx Tx, u *User) error {
	invites, err := tx.UserInvites(u.AccountID, u.UserID)
	if err != nil {
		return err
	}
	for _, inv := range invites {
		if inv.Status != model.InviteStatusPending {
			continue
		}
		inv.Status = model.InviteStatusAccepted
		if err := tx.SaveInvite(inv); err != nil {
			return err
		}
	}
	return nil
}

// ListInvitations lists the invitations InviteUsers made in an account, with
// their links: what the invitees were (or, without an SMTP relay, would have
// been) emailed.
func (s *Service) ListInvitations(ctx context.Context, caller Caller, accountID string, maxResults *int32, token *string) (*ListPage[Invite], error) {
	list := func(tx Tx, after string, limit int) ([]*Invite, error) {
		if _, err := liveAccount(tx, caller, accountID); err != nil {
			return nil, err
		}
		return tx.ListInvites(accountID, Page{After: after, Limit: limit})
	}
	return extensionPage(ctx, s, caller, listingOf("invitations", accountID), maxResults, token, list,
		func(inv *Invite) string { return inv.InviteID })
}

// invitation loads the invitation a link names, in its live account. Once
// the token matched, the invitation is returned even with an error: the
// caller then knows who holds the link.
func invitation(tx Tx, inviteID, token string) (*Invite, *Account, error) {
	inv, err := tx.GetInvite(inviteID)
	if err := notFoundIfMissing(err, "Invitation", inviteID); err != nil {
		return nil, nil, err
	}
	if inv.Token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(inv.Token)) != 1 {
		return nil, nil, Forbidden("the token does not match invitation %s", inviteID)
	}
	if inv.Status == model.InviteStatusFailed {
		return inv, nil, Forbidden("invitation %s failed: %s belongs to another account", inviteID, inv.Email)
	}
	a, err := liveAccount(tx, Caller{AwsAccountID: inv.AwsAccountID}, inv.AccountID)
	if err != nil {
		return inv, nil, err
	}
	return inv, a, nil
}
