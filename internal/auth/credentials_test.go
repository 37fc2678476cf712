package auth

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "credentials.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFile(t *testing.T) {
	p := writeFile(t, `{"Credentials": [
		{"AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "secret1", "AwsAccountId": "123456789012"},
		{"AccessKeyId": "AKID/2", "SecretAccessKey": "secret2", "AwsAccountId": "210987654321",
		 "PrincipalArn": "arn:aws:iam::210987654321:user/alice"},
		{"AccessKeyId": "ASIA3", "SecretAccessKey": "secret3", "AwsAccountId": "210987654321", "SessionToken": "token3",
		 "PrincipalArn": "arn:aws:sts::210987654321:assumed-role/Admin/alice", "Expiration": "2026-11-25T12:00:00Z"},
		{"AccessKeyId": "AKID4", "SecretAccessKey": "secret4", "AwsAccountId": "123456789012",
		 "PrincipalArn": "arn:aws-us-gov:iam::123456789012:user/bob"}
	]}`)
	got, err := LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Credential{
		{"AKIDEXAMPLE", "secret1", "123456789012", "arn:aws:iam::123456789012:root", "", nil},
		{"AKID/2", "secret2", "210987654321", "arn:aws:iam::210987654321:user/alice", "", nil},
		{"ASIA3", "secret3", "210987654321", "arn:aws:sts::210987654321:assumed-role/Admin/alice", "token3", new(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))},
		{"AKID4", "secret4", "123456789012", "arn:aws-us-gov:iam::123456789012:user/bob", "", nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestLoadFileInvalid(t *testing.T) {
	const ok = `{"AccessKeyId": "AKID1", "SecretAccessKey": "s", "AwsAccountId": "123456789012"}`
	cases := []struct {
		name, content, want string
	}{
		{"not JSON", `{"Credentials": [`, "unexpected EOF"},
		{"trailing data", `{"Credentials": [` + ok + `]} {}`, "unexpected data"},
		{"unknown field", `{"Credentials": [{"AccessKeyId": "A", "SecretKey": "s", "AwsAccountId": "123456789012"}]}`, `unknown field "SecretKey"`},
		{"no credentials", `{"Credentials": []}`, "Credentials: at least one"},
		{"empty key id", `{"Credentials": [` + ok + `, {"AccessKeyId": "", "SecretAccessKey": "s", "AwsAccountId": "123456789012"}]}`,
			"Credentials[1].AccessKeyId: must not be empty"},
		{"key id with space", `{"Credentials": [{"AccessKeyId": "AK ID", "SecretAccessKey": "s", "AwsAccountId": "123456789012"}]}`,
			"Credentials[0].AccessKeyId:"},
		{"key id with comma", `{"Credentials": [{"AccessKeyId": "AK,ID", "SecretAccessKey": "s", "AwsAccountId": "123456789012"}]}`,
			"Credentials[0].AccessKeyId:"},
		{"empty secret", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "", "AwsAccountId": "123456789012"}]}`,
			"Credentials[0].SecretAccessKey: must not be empty"},
		{"missing account", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s"}]}`,
			"Credentials[0].AwsAccountId: \"\" must be exactly 12 digits"},
		{"duplicate key id", `{"Credentials": [` + ok + `, ` + ok + `]}`, "Credentials[1].AccessKeyId: \"AKID1\" is already used by Credentials[0]"},
		{"short account", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AwsAccountId": "12345"}]}`,
			"Credentials[0].AwsAccountId: \"12345\" must be exactly 12 digits"},
		{"account with letters", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AwsAccountId": "12345678901x"}]}`,
			"Credentials[0].AwsAccountId:"},
		{"account too long", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AwsAccountId": "1234567890123"}]}`,
			"Credentials[0].AwsAccountId:"},
		{"principal in another account", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AwsAccountId": "123456789012",
			"PrincipalArn": "arn:aws:iam::999999999999:root"}]}`, "Credentials[0].PrincipalArn:"},
		{"assumed role in another account", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AwsAccountId": "123456789012",
			"PrincipalArn": "arn:aws:sts::999999999999:assumed-role/Admin/alice"}]}`, "Credentials[0].PrincipalArn:"},
		{"principal of another service", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AwsAccountId": "123456789012",
			"PrincipalArn": "arn:aws:s3:::123456789012"}]}`, "Credentials[0].PrincipalArn:"},
		{"expiring long-term key", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AwsAccountId": "123456789012",
			"Expiration": "2026-11-25T12:00:00Z"}]}`, "Credentials[0].Expiration: only a temporary credential"},
		{"expiration not a time", `{"Credentials": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AwsAccountId": "123456789012",
			"SessionToken": "t", "Expiration": "tomorrow"}]}`, "Expiration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadFile(writeFile(t, c.content))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Fatal("loaded a missing file")
	}
}

func TestDevCredential(t *testing.T) {
	want := Credential{"test", "test", "000000000000", "arn:aws:iam::000000000000:root", "", nil}
	if got := DevCredential(); got != want {
		t.Fatalf("got %+v", got)
	}
}

func TestNewVerifierDefaults(t *testing.T) {
	v := NewVerifier([]Credential{
		{AccessKeyID: "A", SecretAccessKey: "first", AwsAccountID: "111111111111"},
		{AccessKeyID: "A", SecretAccessKey: "second", AwsAccountID: "222222222222"},
	}, nil)
	c := (*v.byKey.Load())["A"]
	if c.SecretAccessKey != "first" || c.PrincipalARN != "arn:aws:iam::111111111111:root" || v.now == nil {
		t.Fatalf("%+v", c)
	}
}
