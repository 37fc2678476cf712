package chime

import (
	"encoding/base64"
	"strings"
)

// A NextToken is opaque to clients. It names the listing it belongs to and the
// AWS account that asked, so a token cannot be replayed against another
// listing or by another tenant, and carries the last key returned.
const tokenVersion = "v1"

func encodeToken(listing, awsAccountID, lastKey string) *string {
	raw := strings.Join([]string{tokenVersion, listing, awsAccountID, lastKey}, "\x00")
	tok := base64.RawURLEncoding.EncodeToString([]byte(raw))
	return &tok
}

// decodeToken returns the key to continue after, or a BadRequest refusal when
// the token was not issued for this listing and caller.
func decodeToken(token *string, listing, awsAccountID string) (string, error) {
	if token == nil || *token == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil {
		return "", BadRequest("NextToken: not a token issued by this server")
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 4 || parts[0] != tokenVersion {
		return "", BadRequest("NextToken: not a token issued by this server")
	}
	if parts[1] != listing || parts[2] != awsAccountID {
		return "", BadRequest("NextToken: issued for another listing or caller")
	}
	return parts[3], nil
}

// pageSize returns the requested page size or the operation's default.
func pageSize(maxResults *int32, def int) int {
	if maxResults == nil {
		return def
	}
	return int(*maxResults)
}

// nextToken returns the token for the page after one of n items whose last
// key is lastKey, or nil when the listing is complete. Stores return one
// record more than asked for so this knows whether another page exists.
func nextToken(fetched, limit int, listing, awsAccountID, lastKey string) *string {
	if fetched <= limit {
		return nil
	}
	return encodeToken(listing, awsAccountID, lastKey)
}
