package chime

import (
	"context"
	"errors"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// Retention is how long an Enterprise account keeps chat messages. A period
// of 0 days means that kind of message is kept for good.
type Retention struct {
	AccountID        string
	RoomDays         int
	ConversationDays int
	// InitiateDeletionAt is when deletion begins: RetentionGracePeriod after
	// a period was set or changed (nil while retention is off). Until then
	// nothing is deleted, so a mistaken setting can still be turned off or
	// lengthened without losing messages.
	InitiateDeletionAt *time.Time
	UpdatedAt          time.Time
}

// RetentionTx reads and writes retention settings.
type RetentionTx interface {
	// GetRetention returns ErrNoRows when the account never had retention
	// settings.
	GetRetention(accountID string) (*Retention, error)
	// PutRetention stores the settings, replacing the account's previous ones.
	PutRetention(r *Retention) error
	// DueRetention returns the settings whose deletion began at or before now.
	DueRetention(now time.Time) ([]*Retention, error)
}

// RetentionGracePeriod is the time Chime gives administrators to restore
// messages after setting or changing a retention period (Amazon Chime
// Administration Guide, "Restoring chat messages": 30 days); deletion starts
// when it is over.
const RetentionGracePeriod = 30 * 24 * time.Hour

const retentionWhat = "chat retention settings"

func (r *Retention) toModel() *model.RetentionSettings {
	out := &model.RetentionSettings{}
	if r.RoomDays > 0 {
		out.RoomRetentionSettings = &model.RoomRetentionSettings{RetentionDays: model.Int32(int32(r.RoomDays))}
	}
	if r.ConversationDays > 0 {
		out.ConversationRetentionSettings = &model.ConversationRetentionSettings{RetentionDays: model.Int32(int32(r.ConversationDays))}
	}
	return out
}

func (r *Retention) initiateDeletion() *model.Time {
	if r.InitiateDeletionAt == nil {
		return nil
	}
	return model.TimeOf(*r.InitiateDeletionAt)
}

// PutRetentionSettings replaces the account's settings: a period left out
// of the request turns that retention off. Setting or changing a period
// starts a new grace period; InitiateDeletionTimestamp says when it ends.
// The model answers 204, so the SDKs never see the body; it is computed and
// kept all the same, and GetRetentionSettings answers it.
func (s *Service) PutRetentionSettings(ctx context.Context, caller Caller, in *model.PutRetentionSettingsRequest) (*model.PutRetentionSettingsResponse, error) {
	next := &Retention{AccountID: *in.AccountId}
	if rs := in.RetentionSettings.RoomRetentionSettings; rs != nil && rs.RetentionDays != nil {
		next.RoomDays = int(*rs.RetentionDays)
	}
	if cs := in.RetentionSettings.ConversationRetentionSettings; cs != nil && cs.RetentionDays != nil {
		next.ConversationDays = int(*cs.RetentionDays)
	}
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := enterpriseAccount(tx, caller, *in.AccountId, retentionWhat)
		if err != nil {
			return err
		}
		prev, err := tx.GetRetention(a.AccountID)
		if errors.Is(err, ErrNoRows) {
			prev, err = &Retention{AccountID: a.AccountID}, nil
		}
		if err != nil {
			return err
		}
		next.AccountID, next.UpdatedAt = a.AccountID, now
		next.InitiateDeletionAt = prev.InitiateDeletionAt
		changed := func(days, before int) bool { return days > 0 && days != before }
		switch {
		case next.RoomDays == 0 && next.ConversationDays == 0:
			next.InitiateDeletionAt = nil
		case changed(next.RoomDays, prev.RoomDays) || changed(next.ConversationDays, prev.ConversationDays):
			start := now.Add(RetentionGracePeriod)
			next.InitiateDeletionAt = &start
		}
		return tx.PutRetention(next)
	})
	if err != nil {
		return nil, err
	}
	return &model.PutRetentionSettingsResponse{
		RetentionSettings:         next.toModel(),
		InitiateDeletionTimestamp: next.initiateDeletion(),
	}, nil
}

func (s *Service) GetRetentionSettings(ctx context.Context, caller Caller, in *model.GetRetentionSettingsRequest) (*model.GetRetentionSettingsResponse, error) {
	var r *Retention
	err := s.view(ctx, func(tx Tx) error {
		a, err := enterpriseAccount(tx, caller, *in.AccountId, retentionWhat)
		if err != nil {
			return err
		}
		r, err = tx.GetRetention(a.AccountID)
		if errors.Is(err, ErrNoRows) {
			r, err = &Retention{AccountID: a.AccountID}, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.GetRetentionSettingsResponse{
		RetentionSettings:         r.toModel(),
		InitiateDeletionTimestamp: r.initiateDeletion(),
	}, nil
}

// EnforceRetention deletes, in every account whose deletion has begun, the
// messages older than the account's retention period for their kind, and
// says how many. It is run by the background jobs. Two servers running it
// at once delete each message once: a deleted row is not there to delete
// again.
func (s *Service) EnforceRetention(ctx context.Context) (int, error) {
	var n int
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		n = 0
		due, err := tx.DueRetention(now)
		if err != nil {
			return err
		}
		for _, r := range due {
			for _, p := range []struct {
				parentType string
				days       int
			}{{MessageInRoom, r.RoomDays}, {MessageInConversation, r.ConversationDays}} {
				if p.days == 0 {
					continue
				}
				deleted, err := tx.DeleteMessagesBefore(r.AccountID, p.parentType, now.Add(-time.Duration(p.days)*24*time.Hour))
				if err != nil {
					return err
				}
				n += deleted
				// Bots' Mentions carry the text of room messages: it goes
				// with them.
				if deleted > 0 && p.parentType == MessageInRoom {
					if err := tx.EraseBotEventMessages(MentionFilter{DeletedIn: r.AccountID}, now); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		return n, err
	}
	return n, s.store.Scrub(ctx)
}
