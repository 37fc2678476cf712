package chime

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// A NextToken is opaque to clients. It names the listing it belongs to and the
// AWS account that asked, carries the last key returned, and is signed with a
// key shared by every instance (kept in the database), so a token cannot be
// replayed against another listing or by another tenant, nor forged or edited.
const (
	tokenVersion = "v2"
	tokenMACSize = 16
)

// encodeToken returns the token for the page after the one whose last key is
// lastKey. Listings ask the store for one record more than the page holds,
// and make a token only when it came: then another page exists.
func (s *Service) encodeToken(listing, awsAccountID, lastKey string) *string {
	raw := []byte(strings.Join([]string{tokenVersion, listing, awsAccountID, lastKey}, "\x00"))
	tok := base64.RawURLEncoding.EncodeToString(append(raw, s.tokenMAC(raw)...))
	return &tok
}

func (s *Service) tokenMAC(raw []byte) []byte {
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write(raw)
	return mac.Sum(nil)[:tokenMACSize]
}

// decodeToken returns the key to continue after, or a BadRequest refusal when
// the token was not issued by this server for this listing and caller.
func (s *Service) decodeToken(token *string, listing, awsAccountID string) (string, error) {
	if token == nil || *token == "" {
		return "", nil
	}
	signed, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil || len(signed) < tokenMACSize {
		return "", BadRequest("NextToken: not a token issued by this server")
	}
	raw, mac := signed[:len(signed)-tokenMACSize], signed[len(signed)-tokenMACSize:]
	if !hmac.Equal(mac, s.tokenMAC(raw)) {
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

// listingOf names a listing by its kind and whatever selects its records
// (the parent's ID, the filters), so that a token continues only the
// listing it was issued for: with another filter its key would skip or
// repeat records. Each part is quoted, so that no two listings share a name.
func listingOf(kind string, parts ...string) string {
	for _, p := range parts {
		kind += "/" + strconv.Quote(p)
	}
	return kind
}

// PageToken and PageAfter are encodeToken and decodeToken for a listing
// served outside this package (the server's audit trail), named by its kind
// and filters as listingOf names it.
func (s *Service) PageToken(awsAccountID, lastKey, kind string, filters ...string) *string {
	return s.encodeToken(listingOf(kind, filters...), awsAccountID, lastKey)
}

func (s *Service) PageAfter(token *string, awsAccountID, kind string, filters ...string) (string, error) {
	return s.decodeToken(token, listingOf(kind, filters...), awsAccountID)
}

// pageSize returns the requested page size or the operation's default.
func pageSize(maxResults *int32, def int) int {
	if maxResults == nil {
		return def
	}
	return int(*maxResults)
}

// ListPage is one page of a listing served by an extension endpoint.
type ListPage[T any] struct {
	Items     []*T
	NextToken *string
}

// MaxExtensionPage is the largest page an extension listing answers.
const MaxExtensionPage = 99

// extensionPage reads one page of a listing that is not in the model, so its
// max-results bound (1–MaxExtensionPage, 50 by default) is checked here. list runs in a
// read transaction, checks the caller may see the listing, and returns up to
// limit records after the key after; key names a record for the next page's
// token.
func extensionPage[T any](ctx context.Context, s *Service, caller Caller, listing string, maxResults *int32, token *string,
	list func(tx Tx, after string, limit int) ([]*T, error), key func(*T) string) (*ListPage[T], error) {
	if maxResults != nil && (*maxResults < 1 || *maxResults > MaxExtensionPage) {
		return nil, BadRequest("max-results: must be between 1 and %d", MaxExtensionPage)
	}
	after, err := s.decodeToken(token, listing, caller.AwsAccountID)
	if err != nil {
		return nil, err
	}
	limit := pageSize(maxResults, 50)
	var found []*T
	err = s.view(ctx, func(tx Tx) error {
		found, err = list(tx, after, limit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &ListPage[T]{Items: found[:min(len(found), limit)]}
	if len(found) > limit {
		out.NextToken = s.encodeToken(listing, caller.AwsAccountID, key(found[limit-1]))
	}
	return out, nil
}
