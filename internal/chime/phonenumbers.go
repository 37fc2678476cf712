package chime

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/chimed/chimed/internal/catalogue"
	"github.com/chimed/chimed/internal/model"
)

// PhoneNumber is a number in an AWS account's inventory. It belongs to the
// AWS account, not to a Chime account. Its E.164 form is its ID, and no two
// AWS accounts hold the same number.
type PhoneNumber struct {
	AwsAccountID string
	E164         string
	Country      string
	Type         string
	ProductType  string
	Status       string
	CallingName  string
	// CallingNameStatus is Unassigned until a calling name is set;
	// CallingNameDueAt is when a pending change completes.
	CallingNameStatus string
	CallingNameDueAt  *time.Time
	// AccountID and UserID are set while the number is a user's primary
	// number (Status Assigned).
	AccountID    string
	UserID       string
	AssociatedAt *time.Time
	// OrderID is the order that acquired the number.
	OrderID   string
	CreatedAt time.Time
	UpdatedAt time.Time
	// DeletedAt is set while the number is in the deletion queue.
	DeletedAt *time.Time
	// Version counts the saves of the record: a save of a version that is
	// no longer the stored one fails with ErrStale.
	Version int64
}

// PhoneNumberTx reads and writes the phone number inventory.
type PhoneNumberTx interface {
	// ReservePhoneNumber inserts n unless the number is already in an
	// inventory (of any AWS account), and says whether it did.
	ReservePhoneNumber(n *PhoneNumber) (bool, error)
	// GetPhoneNumber returns ErrNoRows unless awsAccountID holds the number.
	GetPhoneNumber(awsAccountID, e164 string) (*PhoneNumber, error)
	// SavePhoneNumber stores n and increments its Version; ErrStale when
	// the stored record is no longer version n.Version.
	SavePhoneNumber(n *PhoneNumber) error
	ListPhoneNumbers(awsAccountID string, f PhoneNumberFilter, p Page) ([]*PhoneNumber, error)
	// TakenPhoneNumbers says which of e164s are in any inventory.
	TakenPhoneNumbers(e164s []string) (map[string]bool, error)
	// DueCallingNames returns up to limit numbers whose calling-name change
	// is due at now.
	DueCallingNames(now time.Time, limit int) ([]*PhoneNumber, error)
	// PurgePhoneNumbers removes for good the numbers deleted at or before
	// cutoff and says how many.
	PurgePhoneNumbers(cutoff time.Time) (int, error)
}

// PhoneNumberFilter narrows ListPhoneNumbers. Empty fields do not filter.
type PhoneNumberFilter struct {
	Status      string
	ProductType string
	AccountID   string
	UserID      string
}

// ErrStale is what a store returns when a compare-and-set save finds that
// the record changed since it was read: another server instance got there
// first.
var ErrStale = errors.New("record changed since it was read")

func (n *PhoneNumber) toModel() *model.PhoneNumber {
	out := &model.PhoneNumber{
		PhoneNumberId:     model.String(n.E164),
		E164PhoneNumber:   model.String(n.E164),
		Country:           model.String(n.Country),
		Type:              model.String(n.Type),
		ProductType:       model.String(n.ProductType),
		Status:            model.String(n.Status),
		CallingName:       optional(n.CallingName),
		CallingNameStatus: model.String(n.CallingNameStatus),
		Capabilities:      capabilities(n.ProductType, n.Country, n.Type),
		CreatedTimestamp:  model.TimeOf(n.CreatedAt),
		UpdatedTimestamp:  model.TimeOf(n.UpdatedAt),
		// The reference's examples show an unassociated number with
		// "Associations": [], and SDKs keep an empty list but drop an
		// absent one.
		Associations: []model.PhoneNumberAssociation{},
	}
	if n.UserID != "" {
		at := model.TimeOf(*n.AssociatedAt)
		out.Associations = []model.PhoneNumberAssociation{
			{Name: model.String(model.PhoneNumberAssociationNameAccountId), Value: model.String(n.AccountID), AssociatedTimestamp: at},
			{Name: model.String(model.PhoneNumberAssociationNameUserId), Value: model.String(n.UserID), AssociatedTimestamp: at},
		}
	}
	if n.DeletedAt != nil {
		out.DeletionTimestamp = model.TimeOf(*n.DeletedAt)
	}
	return out
}

// capabilities follow from what the number is used for (our choice, where
// the reference is silent): Business Calling numbers call and text; Voice
// Connector and SIP media application numbers carry calls only, and outside
// the US a dial-in number takes calls but does not place them.
func capabilities(productType, country, typ string) *model.PhoneNumberCapabilities {
	c := &model.PhoneNumberCapabilities{
		InboundCall: model.Bool(true), OutboundCall: model.Bool(true),
		InboundSMS: model.Bool(false), OutboundSMS: model.Bool(false),
		InboundMMS: model.Bool(false), OutboundMMS: model.Bool(false),
	}
	switch {
	case productType == model.PhoneNumberProductTypeBusinessCalling && typ == model.PhoneNumberTypeLocal:
		c.InboundSMS, c.OutboundSMS, c.InboundMMS, c.OutboundMMS = model.Bool(true), model.Bool(true), model.Bool(true), model.Bool(true)
	case productType == model.PhoneNumberProductTypeSipMediaApplicationDialIn && country != catalogue.US:
		c.OutboundCall = model.Bool(false)
	}
	return c
}

// productTypeAllowed is the rule of CreatePhoneNumberOrder, UpdatePhoneNumber
// and BatchUpdatePhoneNumber.
func productTypeAllowed(e164, country, typ, productType string) error {
	if typ == model.PhoneNumberTypeTollFree && productType == model.PhoneNumberProductTypeBusinessCalling {
		return BadRequest("ProductType: %s is a toll-free number: toll-free numbers cannot have product type BusinessCalling", e164)
	}
	if country != catalogue.US && productType != model.PhoneNumberProductTypeSipMediaApplicationDialIn {
		return BadRequest("ProductType: %s is a number of %s: numbers outside the US must have product type SipMediaApplicationDialIn", e164, country)
	}
	return nil
}

// phoneNumberID turns a phone number ID as clients send it into the E.164
// number it names. The + may come percent-encoded (the reference's own
// BatchDeletePhoneNumber example sends "%2B12065550100" in its JSON body) or
// not at all (the model's pattern makes it optional). Only the + is decoded:
// decoding the whole ID again turned "%00", already checked as text, into
// a NUL that PostgreSQL refused with an internal error.
func phoneNumberID(id string) string {
	if len(id) > 3 && strings.EqualFold(id[:3], "%2B") {
		id = "+" + id[3:]
	}
	if id != "" && id[0] != '+' && strings.Trim(id, "0123456789") == "" {
		id = "+" + id
	}
	return id
}

// ownedPhoneNumber loads a number of the caller's inventory.
func ownedPhoneNumber(tx Tx, caller Caller, id string) (*PhoneNumber, error) {
	n, err := tx.GetPhoneNumber(caller.AwsAccountID, id)
	if err := notFoundIfMissing(err, "PhoneNumber", id); err != nil {
		return nil, err
	}
	return n, nil
}

func (s *Service) GetPhoneNumber(ctx context.Context, caller Caller, in *model.GetPhoneNumberRequest) (*model.GetPhoneNumberResponse, error) {
	var n *PhoneNumber
	err := s.view(ctx, func(tx Tx) error {
		var err error
		n, err = ownedPhoneNumber(tx, caller, phoneNumberID(*in.PhoneNumberId))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.GetPhoneNumberResponse{PhoneNumber: n.toModel()}, nil
}

func (s *Service) ListPhoneNumbers(ctx context.Context, caller Caller, in *model.ListPhoneNumbersRequest) (*model.ListPhoneNumbersResponse, error) {
	listing := listingOf("phone-numbers", model.Value(in.Status), model.Value(in.ProductType), model.Value(in.FilterName), model.Value(in.FilterValue))
	after, err := s.decodeToken(in.NextToken, listing, caller.AwsAccountID)
	if err != nil {
		return nil, err
	}
	if (in.FilterName == nil) != (in.FilterValue == nil) {
		return nil, BadRequest("FilterName and FilterValue must be given together")
	}
	none := &model.ListPhoneNumbersResponse{PhoneNumbers: []model.PhoneNumber{}}
	filter := PhoneNumberFilter{Status: model.Value(in.Status), ProductType: model.Value(in.ProductType)}
	switch model.Value(in.FilterName) {
	case model.PhoneNumberAssociationNameAccountId:
		filter.AccountID = *in.FilterValue
	case model.PhoneNumberAssociationNameUserId:
		filter.UserID = *in.FilterValue
	case "":
	default:
		// Voice connectors, their groups and SIP rules are administered by
		// another API: no number of this one is associated with them.
		return none, nil
	}
	if in.FilterValue != nil && *in.FilterValue == "" {
		// Nor with an empty ID, which in a PhoneNumberFilter means no
		// filter.
		return none, nil
	}
	limit := pageSize(in.MaxResults, 99)
	var found []*PhoneNumber
	err = s.view(ctx, func(tx Tx) error {
		found, err = tx.ListPhoneNumbers(caller.AwsAccountID, filter, Page{After: after, Limit: limit + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.ListPhoneNumbersResponse{PhoneNumbers: make([]model.PhoneNumber, 0, min(len(found), limit))}
	for i, n := range found {
		if i == limit {
			break
		}
		out.PhoneNumbers = append(out.PhoneNumbers, *n.toModel())
	}
	if len(found) > limit {
		out.NextToken = s.encodeToken(listing, caller.AwsAccountID, found[limit-1].E164)
	}
	return out, nil
}

// phoneNumberError turns a refusal about one number of a batch into its
// PhoneNumberError. Internal failures are not item errors: they fail the
// whole call.
func phoneNumberError(id string, err error) (model.PhoneNumberError, bool) {
	var e *Error
	if !errors.As(err, &e) {
		return model.PhoneNumberError{}, false
	}
	return model.PhoneNumberError{PhoneNumberId: model.String(id), ErrorCode: model.String(e.Code), ErrorMessage: model.String(e.Message)}, true
}
