package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/nyaruka/phonenumbers"
)

func TestListSupportedPhoneNumberCountries(t *testing.T) {
	e := startTelephony(t)
	c := e.client(keyA)
	// Toll-free numbers cannot be Business Calling ones.
	usOnly := map[types.PhoneNumberProductType][]types.PhoneNumberType{
		types.PhoneNumberProductTypeBusinessCalling: {types.PhoneNumberTypeLocal},
		types.PhoneNumberProductTypeVoiceConnector:  {types.PhoneNumberTypeLocal, types.PhoneNumberTypeTollFree},
	}
	for _, product := range []types.PhoneNumberProductType{types.PhoneNumberProductTypeBusinessCalling, types.PhoneNumberProductTypeVoiceConnector, types.PhoneNumberProductTypeSipMediaApplicationDialIn} {
		t.Run(string(product), func(t *testing.T) {
			out, err := c.ListSupportedPhoneNumberCountries(ctx, &chime.ListSupportedPhoneNumberCountriesInput{ProductType: product})
			noErr(t, err)
			got := map[string][]types.PhoneNumberType{}
			for _, pc := range out.PhoneNumberCountries {
				got[aws.ToString(pc.CountryCode)] = pc.SupportedPhoneNumberTypes
			}
			if want, ok := usOnly[product]; ok {
				if len(got) != 1 || !slices.Equal(got["US"], want) {
					t.Fatalf("countries %v, want US: %v", got, want)
				}
				return
			}
			for _, country := range []string{"US", "GB", "DE", "FR", "AU", "JP", "CA"} {
				if !slices.Contains(got[country], types.PhoneNumberTypeLocal) {
					t.Fatalf("SIP media application dial-in lacks %s local numbers: %v", country, got)
				}
			}
		})
	}
	_, err := c.ListSupportedPhoneNumberCountries(ctx, &chime.ListSupportedPhoneNumberCountriesInput{ProductType: "Fax"})
	wantError(t, err, "BadRequestException")
}

// place is what libphonenumber's geocoding says of a number.
func place(t *testing.T, e164 string) (region string, where string, typ phonenumbers.PhoneNumberType) {
	t.Helper()
	pn, err := phonenumbers.Parse(e164, "")
	if err != nil || !phonenumbers.IsValidNumber(pn) {
		t.Fatalf("%s is not a valid number: %v", e164, err)
	}
	where, err = phonenumbers.GetGeocodingForNumber(pn, "en")
	noErr(t, err)
	return phonenumbers.GetRegionCodeForNumber(pn), where, phonenumbers.GetNumberType(pn)
}

func TestSearchAvailablePhoneNumbers(t *testing.T) {
	e := startTelephony(t)
	c := e.client(keyA)
	local := func(region, city string) func(t *testing.T, n string) {
		return func(t *testing.T, n string) {
			r, where, typ := place(t, n)
			if r != region || (city != "" && where != city) || typ == phonenumbers.TOLL_FREE {
				t.Fatalf("%s is in %s (%s, type %v)", n, where, r, typ)
			}
		}
	}
	tests := []struct {
		name  string
		in    chime.SearchAvailablePhoneNumbersInput
		check func(t *testing.T, n string)
	}{
		{"area code", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206")}, func(t *testing.T, n string) {
			local("US", "")(t, n)
			if !strings.HasPrefix(n, "+1206") {
				t.Fatalf("%s is not in 206", n)
			}
		}},
		{"city and state", chime.SearchAvailablePhoneNumbersInput{City: aws.String("Seattle"), State: aws.String("WA")}, local("US", "Seattle, WA")},
		{"city in other case", chime.SearchAvailablePhoneNumbersInput{City: aws.String("portland"), State: aws.String("OR")}, local("US", "Portland, OR")},
		{"the capital, which the data names without a state", chime.SearchAvailablePhoneNumbersInput{City: aws.String("Washington"), State: aws.String("DC")}, local("US", "Washington D.C.")},
		{"state", chime.SearchAvailablePhoneNumbersInput{State: aws.String("WA"), MaxResults: aws.Int32(500)}, func(t *testing.T, n string) {
			if _, where, _ := place(t, n); !strings.HasSuffix(where, ", WA") {
				t.Fatalf("%s is in %s", n, where)
			}
		}},
		{"toll-free prefix", chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("800")}, func(t *testing.T, n string) {
			if r, _, typ := place(t, n); r != "US" || typ != phonenumbers.TOLL_FREE || !strings.HasPrefix(n, "+1800") {
				t.Fatalf("%s is not a US 800 number", n)
			}
		}},
		{"toll-free with its type", chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("833"), PhoneNumberType: types.PhoneNumberTypeTollFree}, func(t *testing.T, n string) {
			if !strings.HasPrefix(n, "+1833") {
				t.Fatalf("%s is not an 833 number", n)
			}
		}},
		{"United Kingdom local", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeLocal}, local("GB", "")},
		{"Germany toll-free", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("DE"), PhoneNumberType: types.PhoneNumberTypeTollFree}, func(t *testing.T, n string) {
			if r, _, typ := place(t, n); r != "DE" || typ != phonenumbers.TOLL_FREE {
				t.Fatalf("%s is not a German toll-free number", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.SearchAvailablePhoneNumbers(ctx, &tt.in)
			noErr(t, err)
			want := int(aws.ToInt32(tt.in.MaxResults))
			if want == 0 {
				want = 100
			}
			if len(out.E164PhoneNumbers) != want {
				t.Fatalf("found %d numbers, want %d", len(out.E164PhoneNumbers), want)
			}
			for _, n := range out.E164PhoneNumbers {
				tt.check(t, n)
			}
			again, err := c.SearchAvailablePhoneNumbers(ctx, &tt.in)
			noErr(t, err)
			if !slices.Equal(again.E164PhoneNumbers, out.E164PhoneNumbers) {
				t.Fatal("the catalogue is not deterministic")
			}
		})
	}
}

func TestSearchPages(t *testing.T) {
	e := startTelephony(t)
	c := e.client(keyA)
	all, err := c.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(30)})
	noErr(t, err)
	var paged []string
	in := &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(7)}
	for len(paged) < 30 {
		out, err := c.SearchAvailablePhoneNumbers(ctx, in)
		noErr(t, err)
		if out.NextToken == nil {
			t.Fatal("no NextToken while more numbers exist")
		}
		paged = append(paged, out.E164PhoneNumbers...)
		in.NextToken = out.NextToken
	}
	if !slices.Equal(paged[:30], all.E164PhoneNumbers) {
		t.Fatalf("pages %v, want %v", paged[:30], all.E164PhoneNumbers)
	}
	// A token belongs to its search and its caller.
	_, err = c.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("425"), NextToken: in.NextToken})
	wantError(t, err, "BadRequestException")
	_, err = e.client(keyB).SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), NextToken: in.NextToken})
	wantError(t, err, "BadRequestException")
	// Abroad the type is the search: a Local token does not page toll-free.
	local, err := c.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(1)})
	noErr(t, err)
	if local.NextToken == nil {
		t.Fatal("no NextToken for GB's local numbers one at a time")
	}
	_, err = c.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeTollFree, NextToken: local.NextToken})
	wantErrorMessage(t, err, "BadRequestException", "NextToken")
}

// Numbers in any inventory, even still being acquired, cannot be ordered and
// are not offered; released numbers are offered again.
func TestSearchOffersOnlyOrderableNumbers(t *testing.T) {
	e := startTelephony(t)
	a, b := e.client(keyA), e.client(keyB)
	first := search(t, a, "206", 5)
	order(t, a, types.PhoneNumberProductTypeVoiceConnector, first[1], first[3])
	after := search(t, b, "206", 5)
	if slices.Contains(after, first[1]) || slices.Contains(after, first[3]) || after[0] != first[0] || after[1] != first[2] {
		t.Fatalf("after ordering %s and %s, search offers %v", first[1], first[3], after)
	}
}

func TestSearchRefusals(t *testing.T) {
	e := startTelephony(t)
	c := e.client(keyA)
	tests := []struct {
		name string
		in   chime.SearchAvailablePhoneNumbersInput
	}{
		{"no filter", chime.SearchAvailablePhoneNumbersInput{}},
		{"US with only a type", chime.SearchAvailablePhoneNumbersInput{PhoneNumberType: types.PhoneNumberTypeLocal}},
		{"city without state", chime.SearchAvailablePhoneNumbersInput{City: aws.String("Seattle")}},
		{"toll-free prefix with an area code", chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("800"), AreaCode: aws.String("206")}},
		{"toll-free prefix as Local", chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("800"), PhoneNumberType: types.PhoneNumberTypeLocal}},
		{"toll-free type by area code", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), PhoneNumberType: types.PhoneNumberTypeTollFree}},
		{"not a toll-free prefix", chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("899")}},
		{"toll-free prefix as area code", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("888")}},
		{"malformed area code", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("06")}},
		{"area code starting with 0", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("012")}},
		{"area code starting with 1", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("123")}},
		{"unknown state", chime.SearchAvailablePhoneNumbersInput{State: aws.String("XX")}},
		{"abroad with an area code", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), AreaCode: aws.String("206"), PhoneNumberType: types.PhoneNumberTypeLocal}},
		{"abroad without a type", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB")}},
		{"country without numbers", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("ZZ"), PhoneNumberType: types.PhoneNumberTypeLocal}},
		{"type a country lacks", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("CA"), PhoneNumberType: types.PhoneNumberTypeTollFree}},
		{"lower-case country", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("gb"), PhoneNumberType: types.PhoneNumberTypeLocal}},
		{"MaxResults 0", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(0)}},
		{"MaxResults 501", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(501)}},
		{"bad token", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), NextToken: aws.String("bogus")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SearchAvailablePhoneNumbers(ctx, &tt.in)
			wantError(t, err, "BadRequestException")
		})
	}
	// A place the catalogue has nothing in is an empty answer, not an error.
	out, err := c.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{City: aws.String("Atlantis"), State: aws.String("WA")})
	noErr(t, err)
	if len(out.E164PhoneNumbers) != 0 || out.NextToken != nil {
		t.Fatalf("Atlantis, WA: %+v", out)
	}
}

// Without MaxResults a search answers 100 numbers, and a NextToken when
// more are available, even when the first numbers checked filled the page.
func TestSearchDefaultPage(t *testing.T) {
	e := startTelephony(t)
	out, err := e.client(keyA).SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206")})
	noErr(t, err)
	if len(out.E164PhoneNumbers) != 100 || out.NextToken == nil {
		t.Fatalf("default page: %d numbers, NextToken %v; want 100 and a token", len(out.E164PhoneNumbers), out.NextToken)
	}
}

// A city is searched whatever its case, so a page's token continues the
// same search with the city cased otherwise.
func TestSearchTokenIgnoresTheCityCase(t *testing.T) {
	e := startTelephony(t)
	c := e.client(keyA)
	first, err := c.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{City: aws.String("Seattle"), State: aws.String("WA"), MaxResults: aws.Int32(1)})
	noErr(t, err)
	if first.NextToken == nil {
		t.Fatal("no NextToken for Seattle's numbers one at a time")
	}
	next, err := c.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{City: aws.String("SEATTLE"), State: aws.String("WA"), MaxResults: aws.Int32(1), NextToken: first.NextToken})
	noErr(t, err)
	if len(next.E164PhoneNumbers) != 1 || next.E164PhoneNumbers[0] == first.E164PhoneNumbers[0] {
		t.Fatalf("second page %v after %v", next.E164PhoneNumbers, first.E164PhoneNumbers)
	}
}
