package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// The default calling name may change once every 7 days: again from the
// very millisecond the 7 days are over.
func TestPhoneNumberSettings(t *testing.T) {
	e := startTelephony(t)
	e.clock.Stop()
	a := e.client(keyA)
	got, err := a.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	noErr(t, err)
	if got.CallingName != nil || got.CallingNameUpdatedTimestamp != nil {
		t.Fatalf("fresh settings %+v", got)
	}

	_, err = a.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("myName")})
	noErr(t, err)
	got, err = a.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	noErr(t, err)
	if aws.ToString(got.CallingName) != "myName" || got.CallingNameUpdatedTimestamp == nil {
		t.Fatalf("settings %+v", got)
	}
	updated := *got.CallingNameUpdatedTimestamp

	// Setting the name it has is no change: it succeeds (an SDK's retry)
	// and does not move the week on.
	e.clock.Advance(time.Hour)
	_, err = a.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("myName")})
	noErr(t, err)
	got, err = a.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	noErr(t, err)
	if !got.CallingNameUpdatedTimestamp.Equal(updated) {
		t.Fatalf("an update to the same name moved the timestamp: %+v", got)
	}
	_, err = a.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("otherName")})
	wantErrorMessage(t, err, "BadRequestException", "CallingName: ")
	e.clock.Advance(7*24*time.Hour - time.Hour - time.Millisecond)
	_, err = a.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("otherName")})
	wantError(t, err, "BadRequestException")
	e.clock.Advance(time.Millisecond)
	_, err = a.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("otherName")})
	noErr(t, err)
	got, err = a.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	noErr(t, err)
	if aws.ToString(got.CallingName) != "otherName" || !got.CallingNameUpdatedTimestamp.After(updated) {
		t.Fatalf("settings %+v", got)
	}

	// Per AWS account.
	other, err := e.client(keyB).GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	noErr(t, err)
	if other.CallingName != nil {
		t.Fatalf("another AWS account sees %q", aws.ToString(other.CallingName))
	}
	for _, bad := range []string{"x", "not-allowed!", "MuchTooLongCallingName"} {
		_, err = e.client(keyB).UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String(bad)})
		wantError(t, err, "BadRequestException")
	}
}

func TestGlobalSettings(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	got, err := a.GetGlobalSettings(ctx, &chime.GetGlobalSettingsInput{})
	noErr(t, err)
	if got.BusinessCalling.CdrBucket != nil || got.VoiceConnector.CdrBucket != nil {
		t.Fatalf("fresh settings %+v %+v", got.BusinessCalling, got.VoiceConnector)
	}
	_, err = a.UpdateGlobalSettings(ctx, &chime.UpdateGlobalSettingsInput{
		BusinessCalling: &types.BusinessCallingSettings{CdrBucket: aws.String("example-bucket1")},
		VoiceConnector:  &types.VoiceConnectorSettings{CdrBucket: aws.String("example-bucket2")},
	})
	noErr(t, err)
	// Only the members present change; an empty name clears a bucket.
	_, err = a.UpdateGlobalSettings(ctx, &chime.UpdateGlobalSettingsInput{VoiceConnector: &types.VoiceConnectorSettings{CdrBucket: aws.String("")}})
	noErr(t, err)
	got, err = a.GetGlobalSettings(ctx, &chime.GetGlobalSettingsInput{})
	noErr(t, err)
	if aws.ToString(got.BusinessCalling.CdrBucket) != "example-bucket1" || got.VoiceConnector.CdrBucket != nil {
		t.Fatalf("settings %+v %+v", got.BusinessCalling, got.VoiceConnector)
	}
	other, err := e.client(keyB).GetGlobalSettings(ctx, &chime.GetGlobalSettingsInput{})
	noErr(t, err)
	if other.BusinessCalling.CdrBucket != nil {
		t.Fatalf("another AWS account sees %q", aws.ToString(other.BusinessCalling.CdrBucket))
	}
	for _, bad := range []string{"Upper", "ab", "-dash-first", "two..dots", "192.168.1.1"} {
		_, err = a.UpdateGlobalSettings(ctx, &chime.UpdateGlobalSettingsInput{BusinessCalling: &types.BusinessCallingSettings{CdrBucket: aws.String(bad)}})
		wantError(t, err, "BadRequestException")
	}
}
