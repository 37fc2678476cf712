package chime

import (
	"cmp"
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
	// RoomDeletionAt and ConversationDeletionAt are when deletion of each
	// kind begins: RetentionGracePeriod after its period was set or changed
	// (nil while it is off). Until then nothing of that kind is deleted, so a
	// mistaken setting can still be turned off or lengthened without losing
	// messages; changing one period does not delay the other's deletion.
	RoomDeletionAt         *time.Time
	ConversationDeletionAt *time.Time
	// InitiateDeletionAt is the earlier of the two: when the jobs begin to
	// look at the account. Settings stored before each kind had its own
	// start have only this one, for both.
	InitiateDeletionAt *time.Time
	UpdatedAt          time.Time
}

// roomStart and conversationStart are when deletion of each kind begins,
// nil while that kind is kept for good.
func (r *Retention) roomStart() *time.Time {
	if r.RoomDays == 0 {
		return nil
	}
	return cmp.Or(r.RoomDeletionAt, r.InitiateDeletionAt)
}

func (r *Retention) conversationStart() *time.Time {
	if r.ConversationDays == 0 {
		return nil
	}
	return cmp.Or(r.ConversationDeletionAt, r.InitiateDeletionAt)
}

// deletionStart is when deletion of a kind now kept days (0: for good) begins,
// given its period and start before: a new period gets a new grace period.
func deletionStart(days, before int, start *time.Time, now time.Time) *time.Time {
	switch {
	case days == 0:
		return nil
	case days != before || start == nil:
		t := now.Add(RetentionGracePeriod)
		return &t
	}
	return start
}

// earliest and latest ignore nil times, and are nil when both are.
func earliest(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.Before(*a)) {
		return b
	}
	return a
}

func latest(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.After(*a)) {
		return b
	}
	return a
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

// initiateDeletion is the API's one InitiateDeletionTimestamp: when the
// settings are all in force, the later of the two starts.
func (r *Retention) initiateDeletion() *model.Time {
	t := latest(r.roomStart(), r.conversationStart())
	if t == nil {
		return nil
	}
	return model.TimeOf(*t)
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
		next.RoomDeletionAt = deletionStart(next.RoomDays, prev.RoomDays, prev.roomStart(), now)
		next.ConversationDeletionAt = deletionStart(next.ConversationDays, prev.ConversationDays, prev.conversationStart(), now)
		next.InitiateDeletionAt = earliest(next.RoomDeletionAt, next.ConversationDeletionAt)
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
				start      *time.Time
			}{{MessageInRoom, r.RoomDays, r.roomStart()}, {MessageInConversation, r.ConversationDays, r.conversationStart()}} {
				if p.start == nil || p.start.After(now) {
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
					if err := eraseMentions(tx, MentionFilter{DeletedIn: r.AccountID}, now); err != nil {
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
