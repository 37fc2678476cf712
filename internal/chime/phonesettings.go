package chime

import (
	"context"
	"errors"
	"net"
	"regexp"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// TelephonySettings are the phone settings of an AWS account: the default
// outbound calling name of its numbers (PhoneNumberSettings) and where call
// detail records go (GlobalSettings).
type TelephonySettings struct {
	AwsAccountID             string
	CallingName              string
	CallingNameUpdatedAt     *time.Time
	BusinessCallingCdrBucket string
	VoiceConnectorCdrBucket  string
}

// SettingsTx reads and writes telephony settings.
type SettingsTx interface {
	// GetTelephonySettings returns ErrNoRows when the AWS account never set
	// any.
	GetTelephonySettings(awsAccountID string) (*TelephonySettings, error)
	// PutTelephonySettings creates or replaces the settings.
	PutTelephonySettings(s *TelephonySettings) error
}

// CallingNameChangeInterval is how often the default calling name may change.
const CallingNameChangeInterval = 7 * 24 * time.Hour

func telephonySettings(tx Tx, awsAccountID string) (*TelephonySettings, error) {
	st, err := tx.GetTelephonySettings(awsAccountID)
	if errors.Is(err, ErrNoRows) {
		return &TelephonySettings{AwsAccountID: awsAccountID}, nil
	}
	return st, err
}

func (s *Service) GetPhoneNumberSettings(ctx context.Context, caller Caller) (*model.GetPhoneNumberSettingsResponse, error) {
	var st *TelephonySettings
	err := s.view(ctx, func(tx Tx) error {
		var err error
		st, err = telephonySettings(tx, caller.AwsAccountID)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.GetPhoneNumberSettingsResponse{CallingName: optional(st.CallingName)}
	if st.CallingNameUpdatedAt != nil {
		out.CallingNameUpdatedTimestamp = model.TimeOf(*st.CallingNameUpdatedAt)
	}
	return out, nil
}

func (s *Service) UpdatePhoneNumberSettings(ctx context.Context, caller Caller, in *model.UpdatePhoneNumberSettingsRequest) error {
	return s.update(ctx, func(tx Tx, now time.Time) error {
		st, err := telephonySettings(tx, caller.AwsAccountID)
		if err != nil {
			return err
		}
		if *in.CallingName == st.CallingName {
			// Not a change, so not one of the week's: an SDK's retry of
			// an update whose answer was lost still succeeds.
			return nil
		}
		if last := st.CallingNameUpdatedAt; last != nil && now.Before(last.Add(CallingNameChangeInterval)) {
			return BadRequest("CallingName: the default calling name changed at %s: it can change once every 7 days, next from %s",
				last.Format(time.RFC3339), last.Add(CallingNameChangeInterval).Format(time.RFC3339))
		}
		st.CallingName = *in.CallingName
		st.CallingNameUpdatedAt = &now
		return tx.PutTelephonySettings(st)
	})
}

func (s *Service) GetGlobalSettings(ctx context.Context, caller Caller) (*model.GetGlobalSettingsResponse, error) {
	var st *TelephonySettings
	err := s.view(ctx, func(tx Tx) error {
		var err error
		st, err = telephonySettings(tx, caller.AwsAccountID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.GetGlobalSettingsResponse{
		BusinessCalling: &model.BusinessCallingSettings{CdrBucket: optional(st.BusinessCallingCdrBucket)},
		VoiceConnector:  &model.VoiceConnectorSettings{CdrBucket: optional(st.VoiceConnectorCdrBucket)},
	}, nil
}

// UpdateGlobalSettings changes the buckets present in the request; an empty
// bucket name stops the delivery of call detail records.
func (s *Service) UpdateGlobalSettings(ctx context.Context, caller Caller, in *model.UpdateGlobalSettingsRequest) error {
	var business, voice *string
	if in.BusinessCalling != nil {
		business = in.BusinessCalling.CdrBucket
	}
	if in.VoiceConnector != nil {
		voice = in.VoiceConnector.CdrBucket
	}
	for _, b := range []struct {
		member string
		name   *string
	}{{"BusinessCalling.CdrBucket", business}, {"VoiceConnector.CdrBucket", voice}} {
		if b.name != nil && *b.name != "" && !validBucketName(*b.name) {
			return BadRequest("%s: %q is not an S3 bucket name", b.member, *b.name)
		}
	}
	return s.update(ctx, func(tx Tx, now time.Time) error {
		st, err := telephonySettings(tx, caller.AwsAccountID)
		if err != nil {
			return err
		}
		if business != nil {
			st.BusinessCallingCdrBucket = *business
		}
		if voice != nil {
			st.VoiceConnectorCdrBucket = *voice
		}
		return tx.PutTelephonySettings(st)
	})
}

var (
	bucketName       = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	bucketNameBadDot = regexp.MustCompile(`\.\.|\.-|-\.`)
)

// validBucketName applies S3's naming rules for general purpose buckets.
func validBucketName(name string) bool {
	return bucketName.MatchString(name) && !bucketNameBadDot.MatchString(name) && net.ParseIP(name) == nil
}
