package chime

import (
	"context"

	"github.com/chimed/chimed/internal/model"
)

// Rooms, memberships, bots, retention and redaction are the next milestone.
// Until it lands they answer 501 NotImplemented rather than pretend.

func (s *Service) BatchCreateRoomMembership(ctx context.Context, caller Caller, in *model.BatchCreateRoomMembershipRequest) (*model.BatchCreateRoomMembershipResponse, error) {
	return nil, notImplemented("BatchCreateRoomMembership")
}

func (s *Service) CreateBot(ctx context.Context, caller Caller, in *model.CreateBotRequest) (*model.CreateBotResponse, error) {
	return nil, notImplemented("CreateBot")
}

func (s *Service) CreateRoom(ctx context.Context, caller Caller, in *model.CreateRoomRequest) (*model.CreateRoomResponse, error) {
	return nil, notImplemented("CreateRoom")
}

func (s *Service) CreateRoomMembership(ctx context.Context, caller Caller, in *model.CreateRoomMembershipRequest) (*model.CreateRoomMembershipResponse, error) {
	return nil, notImplemented("CreateRoomMembership")
}

func (s *Service) DeleteEventsConfiguration(ctx context.Context, caller Caller, in *model.DeleteEventsConfigurationRequest) error {
	return notImplemented("DeleteEventsConfiguration")
}

func (s *Service) DeleteRoom(ctx context.Context, caller Caller, in *model.DeleteRoomRequest) error {
	return notImplemented("DeleteRoom")
}

func (s *Service) DeleteRoomMembership(ctx context.Context, caller Caller, in *model.DeleteRoomMembershipRequest) error {
	return notImplemented("DeleteRoomMembership")
}

func (s *Service) GetBot(ctx context.Context, caller Caller, in *model.GetBotRequest) (*model.GetBotResponse, error) {
	return nil, notImplemented("GetBot")
}

func (s *Service) GetEventsConfiguration(ctx context.Context, caller Caller, in *model.GetEventsConfigurationRequest) (*model.GetEventsConfigurationResponse, error) {
	return nil, notImplemented("GetEventsConfiguration")
}

func (s *Service) GetRetentionSettings(ctx context.Context, caller Caller, in *model.GetRetentionSettingsRequest) (*model.GetRetentionSettingsResponse, error) {
	return nil, notImplemented("GetRetentionSettings")
}

func (s *Service) GetRoom(ctx context.Context, caller Caller, in *model.GetRoomRequest) (*model.GetRoomResponse, error) {
	return nil, notImplemented("GetRoom")
}

func (s *Service) ListBots(ctx context.Context, caller Caller, in *model.ListBotsRequest) (*model.ListBotsResponse, error) {
	return nil, notImplemented("ListBots")
}

func (s *Service) ListRoomMemberships(ctx context.Context, caller Caller, in *model.ListRoomMembershipsRequest) (*model.ListRoomMembershipsResponse, error) {
	return nil, notImplemented("ListRoomMemberships")
}

func (s *Service) ListRooms(ctx context.Context, caller Caller, in *model.ListRoomsRequest) (*model.ListRoomsResponse, error) {
	return nil, notImplemented("ListRooms")
}

func (s *Service) PutEventsConfiguration(ctx context.Context, caller Caller, in *model.PutEventsConfigurationRequest) (*model.PutEventsConfigurationResponse, error) {
	return nil, notImplemented("PutEventsConfiguration")
}

func (s *Service) PutRetentionSettings(ctx context.Context, caller Caller, in *model.PutRetentionSettingsRequest) (*model.PutRetentionSettingsResponse, error) {
	return nil, notImplemented("PutRetentionSettings")
}

func (s *Service) RedactConversationMessage(ctx context.Context, caller Caller, in *model.RedactConversationMessageRequest) (*model.RedactConversationMessageResponse, error) {
	return nil, notImplemented("RedactConversationMessage")
}

func (s *Service) RedactRoomMessage(ctx context.Context, caller Caller, in *model.RedactRoomMessageRequest) (*model.RedactRoomMessageResponse, error) {
	return nil, notImplemented("RedactRoomMessage")
}

func (s *Service) RegenerateSecurityToken(ctx context.Context, caller Caller, in *model.RegenerateSecurityTokenRequest) (*model.RegenerateSecurityTokenResponse, error) {
	return nil, notImplemented("RegenerateSecurityToken")
}

func (s *Service) UpdateBot(ctx context.Context, caller Caller, in *model.UpdateBotRequest) (*model.UpdateBotResponse, error) {
	return nil, notImplemented("UpdateBot")
}

func (s *Service) UpdateRoom(ctx context.Context, caller Caller, in *model.UpdateRoomRequest) (*model.UpdateRoomResponse, error) {
	return nil, notImplemented("UpdateRoom")
}

func (s *Service) UpdateRoomMembership(ctx context.Context, caller Caller, in *model.UpdateRoomMembershipRequest) (*model.UpdateRoomMembershipResponse, error) {
	return nil, notImplemented("UpdateRoomMembership")
}
