package chime

import (
	"context"

	"github.com/chimed/chimed/internal/model"
)

// Phone numbers, orders, settings and dial-out are a later milestone.
// Until it lands they answer 501 NotImplemented rather than pretend.

func (s *Service) AssociatePhoneNumberWithUser(ctx context.Context, caller Caller, in *model.AssociatePhoneNumberWithUserRequest) (*model.AssociatePhoneNumberWithUserResponse, error) {
	return nil, notImplemented("AssociatePhoneNumberWithUser")
}

func (s *Service) BatchDeletePhoneNumber(ctx context.Context, caller Caller, in *model.BatchDeletePhoneNumberRequest) (*model.BatchDeletePhoneNumberResponse, error) {
	return nil, notImplemented("BatchDeletePhoneNumber")
}

func (s *Service) BatchUpdatePhoneNumber(ctx context.Context, caller Caller, in *model.BatchUpdatePhoneNumberRequest) (*model.BatchUpdatePhoneNumberResponse, error) {
	return nil, notImplemented("BatchUpdatePhoneNumber")
}

func (s *Service) CreateMeetingDialOut(ctx context.Context, caller Caller, in *model.CreateMeetingDialOutRequest) (*model.CreateMeetingDialOutResponse, error) {
	return nil, notImplemented("CreateMeetingDialOut")
}

func (s *Service) CreatePhoneNumberOrder(ctx context.Context, caller Caller, in *model.CreatePhoneNumberOrderRequest) (*model.CreatePhoneNumberOrderResponse, error) {
	return nil, notImplemented("CreatePhoneNumberOrder")
}

func (s *Service) DeletePhoneNumber(ctx context.Context, caller Caller, in *model.DeletePhoneNumberRequest) error {
	return notImplemented("DeletePhoneNumber")
}

func (s *Service) DisassociatePhoneNumberFromUser(ctx context.Context, caller Caller, in *model.DisassociatePhoneNumberFromUserRequest) (*model.DisassociatePhoneNumberFromUserResponse, error) {
	return nil, notImplemented("DisassociatePhoneNumberFromUser")
}

func (s *Service) GetGlobalSettings(ctx context.Context, caller Caller) (*model.GetGlobalSettingsResponse, error) {
	return nil, notImplemented("GetGlobalSettings")
}

func (s *Service) GetPhoneNumber(ctx context.Context, caller Caller, in *model.GetPhoneNumberRequest) (*model.GetPhoneNumberResponse, error) {
	return nil, notImplemented("GetPhoneNumber")
}

func (s *Service) GetPhoneNumberOrder(ctx context.Context, caller Caller, in *model.GetPhoneNumberOrderRequest) (*model.GetPhoneNumberOrderResponse, error) {
	return nil, notImplemented("GetPhoneNumberOrder")
}

func (s *Service) GetPhoneNumberSettings(ctx context.Context, caller Caller) (*model.GetPhoneNumberSettingsResponse, error) {
	return nil, notImplemented("GetPhoneNumberSettings")
}

func (s *Service) ListPhoneNumberOrders(ctx context.Context, caller Caller, in *model.ListPhoneNumberOrdersRequest) (*model.ListPhoneNumberOrdersResponse, error) {
	return nil, notImplemented("ListPhoneNumberOrders")
}

func (s *Service) ListPhoneNumbers(ctx context.Context, caller Caller, in *model.ListPhoneNumbersRequest) (*model.ListPhoneNumbersResponse, error) {
	return nil, notImplemented("ListPhoneNumbers")
}

func (s *Service) ListSupportedPhoneNumberCountries(ctx context.Context, caller Caller, in *model.ListSupportedPhoneNumberCountriesRequest) (*model.ListSupportedPhoneNumberCountriesResponse, error) {
	return nil, notImplemented("ListSupportedPhoneNumberCountries")
}

func (s *Service) RestorePhoneNumber(ctx context.Context, caller Caller, in *model.RestorePhoneNumberRequest) (*model.RestorePhoneNumberResponse, error) {
	return nil, notImplemented("RestorePhoneNumber")
}

func (s *Service) SearchAvailablePhoneNumbers(ctx context.Context, caller Caller, in *model.SearchAvailablePhoneNumbersRequest) (*model.SearchAvailablePhoneNumbersResponse, error) {
	return nil, notImplemented("SearchAvailablePhoneNumbers")
}

func (s *Service) UpdateGlobalSettings(ctx context.Context, caller Caller, in *model.UpdateGlobalSettingsRequest) error {
	return notImplemented("UpdateGlobalSettings")
}

func (s *Service) UpdatePhoneNumber(ctx context.Context, caller Caller, in *model.UpdatePhoneNumberRequest) (*model.UpdatePhoneNumberResponse, error) {
	return nil, notImplemented("UpdatePhoneNumber")
}

func (s *Service) UpdatePhoneNumberSettings(ctx context.Context, caller Caller, in *model.UpdatePhoneNumberSettingsRequest) error {
	return notImplemented("UpdatePhoneNumberSettings")
}
