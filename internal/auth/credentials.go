package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

// Credential is one access key the server accepts.
type Credential struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	AwsAccountID    string `json:"AwsAccountId"`
	PrincipalARN    string `json:"PrincipalArn,omitempty"` // default arn:aws:iam::<AwsAccountId>:root
	// SessionToken makes this a temporary credential, as AWS STS issues
	// them: a request must carry this token, and one signed with a key
	// without a token must carry none.
	SessionToken string `json:"SessionToken,omitempty"`
	// Expiration, which only a temporary credential has, is when its
	// requests start to be refused as expired, as an STS credential's are.
	Expiration *time.Time `json:"Expiration,omitempty"`
}

// credentialsFile is the on-disk shape read by LoadFile.
type credentialsFile struct {
	Credentials []Credential `json:"Credentials"`
}

// DevCredential is the credential used when none are configured: the same
// "test"/"test" pair that LocalStack and moto accept, so an SDK with dummy
// credentials works against a development server out of the box.
func DevCredential() Credential {
	return withDefaults(Credential{
		AccessKeyID:     "test",
		SecretAccessKey: "test",
		AwsAccountID:    "000000000000",
	})
}

// LoadFile reads {"Credentials": [ {...}, ... ]} from path and validates every
// entry: a non-empty AccessKeyId that can appear in an Authorization header, a
// non-empty SecretAccessKey, an AwsAccountId of 12 digits, an optional
// PrincipalArn in that account, an Expiration only with a SessionToken, and
// no AccessKeyId used twice. Unknown fields are refused so that a misspelt
// field name fails loudly instead of being ignored. Errors name the file, the
// entry index and the field.
func LoadFile(path string) ([]Credential, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f credentialsFile
	if err := dec.Decode(&f); err != nil {
		var notTime *time.ParseError
		if errors.As(err, &notTime) {
			// The one time field; encoding/json does not name it.
			return nil, fmt.Errorf("credentials file %s: Expiration: %s is not an RFC 3339 time such as 2026-11-25T12:00:00Z", path, notTime.Value)
		}
		return nil, fmt.Errorf("credentials file %s: %w", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("credentials file %s: unexpected data after the JSON object", path)
	}
	if len(f.Credentials) == 0 {
		return nil, fmt.Errorf("credentials file %s: Credentials: at least one credential is required", path)
	}
	seen := make(map[string]int, len(f.Credentials))
	for i := range f.Credentials {
		c := &f.Credentials[i]
		if err := validate(c); err != nil {
			return nil, fmt.Errorf("credentials file %s: Credentials[%d].%w", path, i, err)
		}
		if j, dup := seen[c.AccessKeyID]; dup {
			return nil, fmt.Errorf("credentials file %s: Credentials[%d].AccessKeyId: %q is already used by Credentials[%d]",
				path, i, c.AccessKeyID, j)
		}
		seen[c.AccessKeyID] = i
		*c = withDefaults(*c)
	}
	return f.Credentials, nil
}

// validate checks one entry; the error starts with the JSON field name so the
// caller can prefix the entry index.
func validate(c *Credential) error {
	switch {
	case c.AccessKeyID == "":
		return fmt.Errorf("AccessKeyId: must not be empty")
	case strings.ContainsFunc(c.AccessKeyID, isKeySeparator):
		// The Authorization header parser splits on these, so such a key could
		// never be presented.
		return fmt.Errorf("AccessKeyId: %q must not contain spaces, commas or control characters", c.AccessKeyID)
	case c.SecretAccessKey == "":
		return fmt.Errorf("SecretAccessKey: must not be empty")
	case !isAccountID(c.AwsAccountID):
		return fmt.Errorf("AwsAccountId: %q must be exactly 12 digits", c.AwsAccountID)
	case c.PrincipalARN != "" && !isPrincipalOf(c.PrincipalARN, c.AwsAccountID):
		return fmt.Errorf("PrincipalArn: %q must be an IAM or STS principal of account %s (arn:aws:iam::%s:user/... or arn:aws:sts::%s:assumed-role/...)",
			c.PrincipalARN, c.AwsAccountID, c.AwsAccountID, c.AwsAccountID)
	case c.Expiration != nil && c.SessionToken == "":
		return fmt.Errorf("Expiration: only a temporary credential (one with a SessionToken) expires")
	}
	return nil
}

// principalARN is an IAM principal (user, role, root) or an STS one (an
// assumed role, a federated user: a temporary credential's), in any
// partition (aws, aws-cn, aws-us-gov, ...).
var principalARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:(iam|sts)::([0-9]{12}):.+$`)

func isPrincipalOf(arn, awsAccountID string) bool {
	m := principalARN.FindStringSubmatch(arn)
	return m != nil && m[3] == awsAccountID
}

func isKeySeparator(r rune) bool { return r == ',' || r == ' ' || r < 0x20 || r == 0x7f }

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// withDefaults fills the fields that have a documented default.
func withDefaults(c Credential) Credential {
	if c.PrincipalARN == "" {
		c.PrincipalARN = "arn:aws:iam::" + c.AwsAccountID + ":root"
	}
	return c
}
