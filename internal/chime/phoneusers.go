package chime

import (
	"context"
	"fmt"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// A user has at most one number, their primary provisioned number: a
// BusinessCalling number of the AWS account, Assigned while it is theirs.

func (s *Service) AssociatePhoneNumberWithUser(ctx context.Context, caller Caller, in *model.AssociatePhoneNumberWithUserRequest) (*model.AssociatePhoneNumberWithUserResponse, error) {
	id := phoneNumberID(*in.E164PhoneNumber)
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		u, err := liveUser(tx, caller, *in.AccountId, *in.UserId)
		if err != nil {
			return err
		}
		n, err := ownedPhoneNumber(tx, caller, id)
		if err != nil {
			return err
		}
		if n.UserID == u.UserID && n.AccountID == u.AccountID {
			return nil // already theirs
		}
		if u.RegistrationStatus == model.RegistrationStatusSuspended {
			return BadRequest("user %s is suspended: unsuspend them before giving them a phone number", u.UserID)
		}
		if u.PrimaryProvisionedNumber != "" {
			return BadRequest("user %s already has the phone number %s: disassociate it first (a user has one primary number)", u.UserID, u.PrimaryProvisionedNumber)
		}
		if n.ProductType != model.PhoneNumberProductTypeBusinessCalling {
			return BadRequest("phone number %s has product type %s: only BusinessCalling numbers can be associated with users", n.E164, n.ProductType)
		}
		if n.Status == model.PhoneNumberStatusAssigned {
			return BadRequest("phone number %s is already associated with user %s", n.E164, n.UserID)
		}
		if n.Status != model.PhoneNumberStatusUnassigned {
			return BadRequest("phone number %s is %s: only Unassigned numbers can be associated with users", n.E164, n.Status)
		}
		n.Status = model.PhoneNumberStatusAssigned
		n.AccountID, n.UserID, n.AssociatedAt = u.AccountID, u.UserID, &now
		n.UpdatedAt = now
		if err := tx.SavePhoneNumber(n); err != nil {
			return err
		}
		u.PrimaryProvisionedNumber = n.E164
		return tx.SaveUser(u)
	})
	if err != nil {
		return nil, err
	}
	return &model.AssociatePhoneNumberWithUserResponse{}, nil
}

func (s *Service) DisassociatePhoneNumberFromUser(ctx context.Context, caller Caller, in *model.DisassociatePhoneNumberFromUserRequest) (*model.DisassociatePhoneNumberFromUserResponse, error) {
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		u, err := liveUser(tx, caller, *in.AccountId, *in.UserId)
		if err != nil {
			return err
		}
		if u.PrimaryProvisionedNumber == "" {
			// Already as asked: an SDK's retry succeeds, as a repeated
			// AssociatePhoneNumberWithUser does.
			return nil
		}
		if err := releaseUserNumber(tx, u, now); err != nil {
			return err
		}
		return tx.SaveUser(u)
	})
	if err != nil {
		return nil, err
	}
	return &model.DisassociatePhoneNumberFromUserResponse{}, nil
}

// releaseUserNumber takes the user's primary number back into the inventory
// (Unassigned) and clears it from u; the caller saves or deletes u. Removing
// or suspending a user releases their number, so that no number stays
// assigned to someone who cannot use it.
func releaseUserNumber(tx Tx, u *User, now time.Time) error {
	if u.PrimaryProvisionedNumber == "" {
		return nil
	}
	n, err := tx.GetPhoneNumber(u.AwsAccountID, u.PrimaryProvisionedNumber)
	if err != nil {
		return fmt.Errorf("load phone number %s of user %s: %w", u.PrimaryProvisionedNumber, u.UserID, err)
	}
	n.Status = model.PhoneNumberStatusUnassigned
	n.AccountID, n.UserID, n.AssociatedAt = "", "", nil
	n.UpdatedAt = now
	if err := tx.SavePhoneNumber(n); err != nil {
		return err
	}
	u.PrimaryProvisionedNumber = ""
	return nil
}
