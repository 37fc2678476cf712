package chime

import (
	"context"
	"errors"
	"time"

	"github.com/chimed/chimed/internal/catalogue"
	"github.com/chimed/chimed/internal/model"
)

func (s *Service) UpdatePhoneNumber(ctx context.Context, caller Caller, in *model.UpdatePhoneNumberRequest) (*model.UpdatePhoneNumberResponse, error) {
	var n *PhoneNumber
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		n, err = s.updatePhoneNumber(tx, caller, phoneNumberID(*in.PhoneNumberId), in.ProductType, in.CallingName, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdatePhoneNumberResponse{PhoneNumber: n.toModel()}, nil
}

// BatchUpdatePhoneNumber applies each item on its own: a failing item is
// reported in PhoneNumberErrors and does not stop the others.
func (s *Service) BatchUpdatePhoneNumber(ctx context.Context, caller Caller, in *model.BatchUpdatePhoneNumberRequest) (*model.BatchUpdatePhoneNumberResponse, error) {
	if err := batchTooLarge("UpdatePhoneNumberRequestItems", len(in.UpdatePhoneNumberRequestItems)); err != nil {
		return nil, err
	}
	out := &model.BatchUpdatePhoneNumberResponse{}
	items := in.UpdatePhoneNumberRequestItems
	numberID := func(i int) string { return phoneNumberID(*items[i].PhoneNumberId) }
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		// An empty list, not an absent one, when nothing failed: the
		// reference's examples answer {"PhoneNumberErrors":[]}.
		var err error
		out.PhoneNumberErrors, err = eachInLockOrder(len(items), numberID, func(i int) error {
			_, err := s.updatePhoneNumber(tx, caller, numberID(i), items[i].ProductType, items[i].CallingName, now)
			return err
		}, func(i int, err error) (model.PhoneNumberError, bool) {
			return phoneNumberError(*items[i].PhoneNumberId, err)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updatePhoneNumber changes one attribute of a number of the inventory: its
// product type, or its calling name (which takes CallingNameDelay to
// complete, during which it cannot change again).
func (s *Service) updatePhoneNumber(tx Tx, caller Caller, id string, productType, callingName *string, now time.Time) (*PhoneNumber, error) {
	if (productType == nil) == (callingName == nil) {
		return nil, BadRequest("give either ProductType or CallingName: a phone number is updated one attribute at a time")
	}
	n, err := ownedPhoneNumber(tx, caller, id)
	if err != nil {
		return nil, err
	}
	if n.Status != model.PhoneNumberStatusUnassigned && n.Status != model.PhoneNumberStatusAssigned {
		return nil, BadRequest("phone number %s is %s: only numbers of the inventory (Unassigned or Assigned) can be updated", n.E164, n.Status)
	}
	if productType != nil {
		if err := productTypeAllowed(n.E164, n.Country, n.Type, *productType); err != nil {
			return nil, err
		}
		if n.Status == model.PhoneNumberStatusAssigned && *productType != n.ProductType {
			return nil, BadRequest("ProductType: phone number %s is assigned to user %s: disassociate it before changing its product type", n.E164, n.UserID)
		}
		n.ProductType = *productType
	} else {
		// Outbound calling names (CNAM) are a US service.
		if n.Country != catalogue.US {
			return nil, BadRequest("CallingName: phone number %s is a number of %s: calling names apply to US numbers only", n.E164, n.Country)
		}
		if *callingName == n.CallingName {
			// The name it has or is getting: not a change, so that an
			// SDK's retry succeeds, as UpdatePhoneNumberSettings' does.
			return n, nil
		}
		if n.CallingNameStatus == model.CallingNameStatusUpdateInProgress {
			return nil, Conflict("the calling name of %s is being updated until %s: that update must complete before another", n.E164, n.CallingNameDueAt.Format(time.RFC3339))
		}
		due := now.Add(s.telephony.CallingNameDelay)
		n.CallingName = *callingName
		n.CallingNameStatus = model.CallingNameStatusUpdateInProgress
		n.CallingNameDueAt = &due
	}
	n.UpdatedAt = now
	return n, tx.SavePhoneNumber(n)
}

// jobBatch is how many records a background job handles per transaction.
const jobBatch = 100

// CompleteCallingNames finishes the calling-name changes that are due and
// says how many. It is run by the background jobs.
func (s *Service) CompleteCallingNames(ctx context.Context) (int, error) {
	done := 0
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		done = 0
		due, err := tx.DueCallingNames(dueBy(ctx, now), jobBatch)
		if err != nil {
			return err
		}
		for _, n := range due {
			n.CallingNameStatus = model.CallingNameStatusUpdateSucceeded
			if n.CallingName == "" {
				n.CallingNameStatus = model.CallingNameStatusUnassigned
			}
			n.CallingNameDueAt = nil
			n.UpdatedAt = now
			switch err := tx.SavePhoneNumber(n); {
			case errors.Is(err, ErrStale):
				// Another server instance completed it.
			case err != nil:
				return err
			default:
				done++
			}
		}
		return nil
	})
	return done, err
}
