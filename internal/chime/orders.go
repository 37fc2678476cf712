package chime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chimed/chimed/internal/catalogue"
	"github.com/chimed/chimed/internal/model"
)

// PhoneNumberOrder is an order for numbers of the catalogue. It is
// Processing until OrderDelay has passed; then the fulfilment job acquires
// its numbers.
type PhoneNumberOrder struct {
	AwsAccountID string
	OrderID      string
	ProductType  string
	Status       string
	Numbers      []OrderedNumber
	// DueAt is when the order is fulfilled.
	DueAt     time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OrderedNumber is one number of an order.
type OrderedNumber struct {
	E164   string
	Status string
	// Reserved says the number went into the inventory, AcquireInProgress,
	// when it was ordered. A number that could not (not in the catalogue,
	// already someone's) fails when the order is fulfilled.
	Reserved bool
}

// OrderTx reads and writes phone number orders.
type OrderTx interface {
	InsertOrder(o *PhoneNumberOrder) error
	// GetOrder returns ErrNoRows unless the order is awsAccountID's.
	GetOrder(awsAccountID, orderID string) (*PhoneNumberOrder, error)
	// ListOrders returns orders in ListKey order.
	ListOrders(awsAccountID string, p Page) ([]*PhoneNumberOrder, error)
	// DueOrders returns up to limit Processing orders due at now.
	DueOrders(now time.Time, limit int) ([]*PhoneNumberOrder, error)
	// CompleteOrder saves o if the stored order is still Processing;
	// ErrStale otherwise.
	CompleteOrder(o *PhoneNumberOrder) error
}

// ListKey orders orders by creation time (then ID, for orders of the same
// millisecond).
func (o *PhoneNumberOrder) ListKey() string {
	return fmt.Sprintf("%015d/%s", o.CreatedAt.UnixMilli(), o.OrderID)
}

// maxOrderSize is our choice: as many numbers as one search returns.
const maxOrderSize = 500

// maxNumbersPerBatch is our choice too (the model sets no limit): as many
// numbers as an order holds. Without one, a 1 MiB body of IDs held the
// writer for seconds and answered several megabytes of errors.
const maxNumbersPerBatch = maxOrderSize

// batchTooLarge refuses a batch of more than maxNumbersPerBatch items.
func batchTooLarge(member string, n int) error {
	if n > maxNumbersPerBatch {
		return BadRequest("%s: at most %d items, got %d", member, maxNumbersPerBatch, n)
	}
	return nil
}

func (o *PhoneNumberOrder) toModel() *model.PhoneNumberOrder {
	out := &model.PhoneNumberOrder{
		PhoneNumberOrderId:  model.String(o.OrderID),
		ProductType:         model.String(o.ProductType),
		Status:              model.String(o.Status),
		OrderedPhoneNumbers: make([]model.OrderedPhoneNumber, 0, len(o.Numbers)),
		CreatedTimestamp:    model.TimeOf(o.CreatedAt),
		UpdatedTimestamp:    model.TimeOf(o.UpdatedAt),
	}
	for _, n := range o.Numbers {
		out.OrderedPhoneNumbers = append(out.OrderedPhoneNumbers, model.OrderedPhoneNumber{
			E164PhoneNumber: model.String(n.E164),
			Status:          model.String(n.Status),
		})
	}
	return out
}

// CreatePhoneNumberOrder reserves each ordered number that can be had, so
// that no one else can order it, and leaves the order Processing; the
// fulfilment job completes it.
func (s *Service) CreatePhoneNumberOrder(ctx context.Context, caller Caller, in *model.CreatePhoneNumberOrderRequest) (*model.CreatePhoneNumberOrderResponse, error) {
	if len(in.E164PhoneNumbers) == 0 {
		return nil, BadRequest("E164PhoneNumbers: give at least one number")
	}
	if len(in.E164PhoneNumbers) > maxOrderSize {
		return nil, errorf(model.ErrorCodeResourceLimitExceeded, "an order holds at most %d numbers, got %d", maxOrderSize, len(in.E164PhoneNumbers))
	}
	numbers := make([]string, len(in.E164PhoneNumbers))
	seen := map[string]bool{}
	for i, raw := range in.E164PhoneNumbers {
		numbers[i] = phoneNumberID(raw)
		if seen[numbers[i]] {
			return nil, BadRequest("E164PhoneNumbers: %s is listed twice", numbers[i])
		}
		seen[numbers[i]] = true
		// The reference's product-type rules follow from the request alone,
		// so they refuse it, as UpdatePhoneNumber does, rather than fail the
		// number after the order delay, whether or not the catalogue offers
		// the number.
		if num, ok := catalogue.Classify(numbers[i]); ok {
			if err := productTypeAllowed(numbers[i], num.Country, num.Type, *in.ProductType); err != nil {
				return nil, err
			}
		}
	}
	o := &PhoneNumberOrder{
		AwsAccountID: caller.AwsAccountID,
		OrderID:      NewID(),
		ProductType:  *in.ProductType,
		Status:       model.PhoneNumberOrderStatusProcessing,
	}
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		o.CreatedAt, o.UpdatedAt, o.DueAt = now, now, now.Add(s.telephony.OrderDelay)
		o.Numbers = o.Numbers[:0]
		for _, e164 := range numbers {
			reserved, err := reserve(tx, o, e164, now)
			if err != nil {
				return err
			}
			o.Numbers = append(o.Numbers, OrderedNumber{E164: e164, Status: model.OrderedPhoneNumberStatusProcessing, Reserved: reserved})
		}
		return tx.InsertOrder(o)
	})
	if err != nil {
		return nil, err
	}
	return &model.CreatePhoneNumberOrderResponse{PhoneNumberOrder: o.toModel()}, nil
}

// reserve puts an ordered number in the inventory, AcquireInProgress, if
// the catalogue has it and no AWS account holds it already (the database's
// unique key on the number decides, also between concurrent orders).
func reserve(tx Tx, o *PhoneNumberOrder, e164 string, now time.Time) (bool, error) {
	num, ok := catalogue.Lookup(e164)
	if !ok {
		return false, nil
	}
	return tx.ReservePhoneNumber(&PhoneNumber{
		AwsAccountID:      o.AwsAccountID,
		E164:              num.E164,
		Country:           num.Country,
		Type:              num.Type,
		ProductType:       o.ProductType,
		Status:            model.PhoneNumberStatusAcquireInProgress,
		CallingNameStatus: model.CallingNameStatusUnassigned,
		OrderID:           o.OrderID,
		CreatedAt:         now,
		UpdatedAt:         now,
	})
}

func (s *Service) GetPhoneNumberOrder(ctx context.Context, caller Caller, in *model.GetPhoneNumberOrderRequest) (*model.GetPhoneNumberOrderResponse, error) {
	var o *PhoneNumberOrder
	err := s.view(ctx, func(tx Tx) error {
		var err error
		o, err = tx.GetOrder(caller.AwsAccountID, *in.PhoneNumberOrderId)
		return notFoundIfMissing(err, "PhoneNumberOrder", *in.PhoneNumberOrderId)
	})
	if err != nil {
		return nil, err
	}
	return &model.GetPhoneNumberOrderResponse{PhoneNumberOrder: o.toModel()}, nil
}

// ListPhoneNumberOrders lists the caller's orders, oldest first.
func (s *Service) ListPhoneNumberOrders(ctx context.Context, caller Caller, in *model.ListPhoneNumberOrdersRequest) (*model.ListPhoneNumberOrdersResponse, error) {
	const listing = "phone-number-orders"
	after, err := s.decodeToken(in.NextToken, listing, caller.AwsAccountID)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults, 99)
	var found []*PhoneNumberOrder
	err = s.view(ctx, func(tx Tx) error {
		found, err = tx.ListOrders(caller.AwsAccountID, Page{After: after, Limit: limit + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.ListPhoneNumberOrdersResponse{PhoneNumberOrders: make([]model.PhoneNumberOrder, 0, min(len(found), limit))}
	for i, o := range found {
		if i == limit {
			break
		}
		out.PhoneNumberOrders = append(out.PhoneNumberOrders, *o.toModel())
	}
	if len(found) > limit {
		out.NextToken = s.encodeToken(listing, caller.AwsAccountID, found[limit-1].ListKey())
	}
	return out, nil
}

// FulfilPhoneNumberOrders completes the orders that are due: reserved
// numbers are Acquired and enter the inventory as Unassigned, the others
// fail. It says how many orders it completed; it is run by the background
// jobs.
func (s *Service) FulfilPhoneNumberOrders(ctx context.Context) (int, error) {
	done := 0
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		done = 0
		due, err := tx.DueOrders(dueBy(ctx, now), jobBatch)
		if err != nil {
			return err
		}
		for _, o := range due {
			switch err := fulfil(tx, o, now); {
			case errors.Is(err, ErrStale):
				// Another server instance fulfilled it.
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

func fulfil(tx Tx, o *PhoneNumberOrder, now time.Time) error {
	acquired := 0
	for i := range o.Numbers {
		o.Numbers[i].Status = model.OrderedPhoneNumberStatusFailed
		if o.Numbers[i].Reserved {
			o.Numbers[i].Status = model.OrderedPhoneNumberStatusAcquired
			acquired++
		}
	}
	switch acquired {
	case len(o.Numbers):
		o.Status = model.PhoneNumberOrderStatusSuccessful
	case 0:
		o.Status = model.PhoneNumberOrderStatusFailed
	default:
		o.Status = model.PhoneNumberOrderStatusPartial
	}
	o.UpdatedAt = now
	// Claim the order first: only the instance whose claim succeeds
	// touches its numbers.
	if err := tx.CompleteOrder(o); err != nil {
		return err
	}
	for _, ordered := range o.Numbers {
		if !ordered.Reserved {
			continue
		}
		n, err := tx.GetPhoneNumber(o.AwsAccountID, ordered.E164)
		if err != nil {
			return fmt.Errorf("load ordered number %s: %w", ordered.E164, err)
		}
		n.Status = model.PhoneNumberStatusUnassigned
		n.UpdatedAt = now
		if err := tx.SavePhoneNumber(n); err != nil {
			return err
		}
	}
	return nil
}
