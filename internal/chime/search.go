package chime

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/chimed/chimed/internal/catalogue"
	"github.com/chimed/chimed/internal/model"
)

// supportedCountries are the countries and number types each product type
// can be ordered in. Numbers outside the US are for SIP media applications
// only, so Business Calling and Voice Connector are US products, and
// toll-free numbers cannot be Business Calling ones.
func supportedCountries(productType string) map[string][]string {
	switch productType {
	case model.PhoneNumberProductTypeSipMediaApplicationDialIn:
		return catalogue.Countries()
	case model.PhoneNumberProductTypeBusinessCalling:
		return map[string][]string{catalogue.US: {catalogue.Local}}
	}
	return map[string][]string{catalogue.US: {catalogue.Local, catalogue.TollFree}}
}

func (s *Service) ListSupportedPhoneNumberCountries(ctx context.Context, caller Caller, in *model.ListSupportedPhoneNumberCountriesRequest) (*model.ListSupportedPhoneNumberCountriesResponse, error) {
	countries := supportedCountries(*in.ProductType)
	codes := make([]string, 0, len(countries))
	for code := range countries {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	out := &model.ListSupportedPhoneNumberCountriesResponse{PhoneNumberCountries: make([]model.PhoneNumberCountry, 0, len(codes))}
	for _, code := range codes {
		out.PhoneNumberCountries = append(out.PhoneNumberCountries, model.PhoneNumberCountry{
			CountryCode:               model.String(code),
			SupportedPhoneNumberTypes: countries[code],
		})
	}
	return out, nil
}

// searchChunk is how many catalogue numbers are checked against the
// inventories at a time.
const searchChunk = 100

// SearchAvailablePhoneNumbers lists numbers of the catalogue that can be
// ordered now: those no AWS account holds.
func (s *Service) SearchAvailablePhoneNumbers(ctx context.Context, caller Caller, in *model.SearchAvailablePhoneNumbersRequest) (*model.SearchAvailablePhoneNumbersResponse, error) {
	f, err := searchFilter(in)
	if err != nil {
		return nil, err
	}
	listing := listingOf("search", f.Country, f.Type, f.AreaCode, f.State, strings.ToLower(f.City), f.TollFreePrefix)
	after, err := s.decodeToken(in.NextToken, listing, caller.AwsAccountID)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults, 100)
	// Never nil: an empty result is still sent as "E164PhoneNumbers": [].
	found := []string{}
	err = s.view(ctx, func(tx Tx) error {
		found = found[:0]
		chunk := make([]string, 0, searchChunk)
		keepAvailable := func() error {
			taken, err := tx.TakenPhoneNumbers(chunk)
			for _, e164 := range chunk {
				if !taken[e164] {
					found = append(found, e164)
				}
			}
			chunk = chunk[:0]
			return err
		}
		for n := range catalogue.Search(f, after) {
			chunk = append(chunk, n.E164)
			if len(chunk) < searchChunk {
				continue
			}
			if err := keepAvailable(); err != nil {
				return err
			}
			if len(found) > limit {
				break
			}
		}
		return keepAvailable()
	})
	if err != nil {
		return nil, err
	}
	out := &model.SearchAvailablePhoneNumbersResponse{E164PhoneNumbers: found[:min(len(found), limit)]}
	if len(found) > limit {
		out.NextToken = s.encodeToken(listing, caller.AwsAccountID, found[limit-1])
	}
	return out, nil
}

var areaCode = regexp.MustCompile(`^[2-9][0-9]{2}$`)

// searchFilter applies the reference's rules: in the US at least one of
// AreaCode, City, State and TollFreePrefix, City only with State; elsewhere
// PhoneNumberType and nothing else.
func searchFilter(in *model.SearchAvailablePhoneNumbersRequest) (catalogue.Filter, error) {
	f := catalogue.Filter{
		Country:        model.Value(in.Country),
		Type:           model.Value(in.PhoneNumberType),
		AreaCode:       model.Value(in.AreaCode),
		State:          model.Value(in.State),
		City:           model.Value(in.City),
		TollFreePrefix: model.Value(in.TollFreePrefix),
	}
	if f.Country == "" {
		f.Country = catalogue.US
	}
	usFilters := f.AreaCode != "" || f.City != "" || f.State != "" || f.TollFreePrefix != ""
	if f.Country != catalogue.US {
		if usFilters {
			return f, BadRequest("AreaCode, City, State and TollFreePrefix apply to US numbers only; outside the US search by PhoneNumberType")
		}
		if f.Type == "" {
			return f, BadRequest("PhoneNumberType is required to search numbers outside the US")
		}
		types, ok := catalogue.Countries()[f.Country]
		if !ok || !slices.Contains(types, f.Type) {
			return f, BadRequest("no %s numbers are offered in %s: see ListSupportedPhoneNumberCountries", f.Type, f.Country)
		}
		return f, nil
	}
	if !usFilters {
		return f, BadRequest("give at least one of AreaCode, City, State or TollFreePrefix to search US numbers")
	}
	if f.City != "" && f.State == "" {
		return f, BadRequest("City: a search by city needs State too")
	}
	if f.TollFreePrefix != "" {
		if f.AreaCode != "" || f.City != "" || f.State != "" {
			return f, BadRequest("TollFreePrefix searches toll-free numbers: it does not go with AreaCode, City or State")
		}
		if f.Type == catalogue.Local {
			return f, BadRequest("TollFreePrefix searches toll-free numbers, not PhoneNumberType Local")
		}
		f.Type = catalogue.TollFree
		return f, nil
	}
	if f.Type == catalogue.TollFree {
		return f, BadRequest("give TollFreePrefix to search toll-free numbers")
	}
	f.Type = catalogue.Local
	if f.AreaCode != "" && !areaCode.MatchString(f.AreaCode) {
		return f, BadRequest("AreaCode: %q is not a US area code (three digits, the first 2-9)", f.AreaCode)
	}
	if slices.Contains(catalogue.TollFreePrefixes, f.AreaCode) {
		return f, BadRequest("AreaCode: %s is a toll-free prefix: search with TollFreePrefix", f.AreaCode)
	}
	if f.State != "" && !catalogue.IsUSState(f.State) {
		return f, BadRequest("State: %q is not the two-letter code of a US state", f.State)
	}
	return f, nil
}
