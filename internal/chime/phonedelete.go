package chime

import (
	"context"
	"errors"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// A deleted number waits in the deletion queue (status DeleteInProgress) for
// DeletionRetention, during which RestorePhoneNumber brings it back; then the
// purge job removes it and it returns to the catalogue, for anyone to order.

func (s *Service) DeletePhoneNumber(ctx context.Context, caller Caller, in *model.DeletePhoneNumberRequest) error {
	return s.update(ctx, func(tx Tx, now time.Time) error {
		err := deletePhoneNumber(tx, caller, phoneNumberID(*in.PhoneNumberId), now)
		// PhoneNumberAssociationsExist is an item error code; the operation
		// itself refuses with BadRequest.
		var e *Error
		if errors.As(err, &e) && e.Code == model.ErrorCodePhoneNumberAssociationsExist {
			return BadRequest("%s", e.Message)
		}
		return err
	})
}

// BatchDeletePhoneNumber deletes each number on its own: a failing number is
// reported in PhoneNumberErrors and does not stop the others.
func (s *Service) BatchDeletePhoneNumber(ctx context.Context, caller Caller, in *model.BatchDeletePhoneNumberRequest) (*model.BatchDeletePhoneNumberResponse, error) {
	if err := batchTooLarge("PhoneNumberIds", len(in.PhoneNumberIds)); err != nil {
		return nil, err
	}
	out := &model.BatchDeletePhoneNumberResponse{}
	// A number listed twice is deleted once: the second mention would find
	// it in the deletion queue, and report as failed a deletion that
	// succeeded.
	ids := withoutRepeats(in.PhoneNumberIds, phoneNumberID)
	numberID := func(i int) string { return phoneNumberID(ids[i]) }
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		// As in BatchUpdatePhoneNumber, [] when nothing failed.
		var err error
		out.PhoneNumberErrors, err = eachInLockOrder(len(ids), numberID, func(i int) error {
			return deletePhoneNumber(tx, caller, numberID(i), now)
		}, func(i int, err error) (model.PhoneNumberError, bool) { return phoneNumberError(ids[i], err) })
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func deletePhoneNumber(tx Tx, caller Caller, id string, now time.Time) error {
	n, err := ownedPhoneNumber(tx, caller, id)
	if err != nil {
		return err
	}
	switch n.Status {
	case model.PhoneNumberStatusUnassigned:
	case model.PhoneNumberStatusAssigned:
		return errorf(model.ErrorCodePhoneNumberAssociationsExist, "phone number %s is associated with user %s of account %s: disassociate it before deleting it", n.E164, n.UserID, n.AccountID)
	case model.PhoneNumberStatusDeleteInProgress:
		return BadRequest("phone number %s is already in the deletion queue", n.E164)
	default:
		return BadRequest("phone number %s is %s: it can be deleted once it is in the inventory", n.E164, n.Status)
	}
	n.Status = model.PhoneNumberStatusDeleteInProgress
	n.DeletedAt = &now
	n.UpdatedAt = now
	return tx.SavePhoneNumber(n)
}

// RestorePhoneNumber moves a number from the deletion queue back into the
// inventory.
func (s *Service) RestorePhoneNumber(ctx context.Context, caller Caller, in *model.RestorePhoneNumberRequest) (*model.RestorePhoneNumberResponse, error) {
	var n *PhoneNumber
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		if n, err = ownedPhoneNumber(tx, caller, phoneNumberID(*in.PhoneNumberId)); err != nil {
			return err
		}
		if n.Status != model.PhoneNumberStatusDeleteInProgress {
			return BadRequest("phone number %s is %s, not in the deletion queue", n.E164, n.Status)
		}
		// Past its retention the number is gone, whether or not the purge
		// job has run since: that job's timing must not decide a restore.
		if released := n.DeletedAt.Add(s.telephony.DeletionRetention); !now.Before(released) {
			return NotFound("phone number %s left the deletion queue at %s and was released", n.E164, released.Format(time.RFC3339))
		}
		// Only numbers without associations can be deleted.
		n.Status = model.PhoneNumberStatusUnassigned
		n.DeletedAt = nil
		n.UpdatedAt = now
		return tx.SavePhoneNumber(n)
	})
	if err != nil {
		return nil, err
	}
	return &model.RestorePhoneNumberResponse{PhoneNumber: n.toModel()}, nil
}

// PurgeDeletedPhoneNumbers removes the numbers whose time in the deletion
// queue is over, and says how many. It is run by the background jobs.
func (s *Service) PurgeDeletedPhoneNumbers(ctx context.Context) (int, error) {
	var n int
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		n, err = tx.PurgePhoneNumbers(now.Add(-s.telephony.DeletionRetention))
		return err
	})
	return n, err
}
