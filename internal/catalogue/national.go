package catalogue

import (
	"iter"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// nationalTypes are the countries outside the US the catalogue has numbers
// in, with their types. Toll-free numbers of Canada share +1 8xx with the US
// and are not Canadian for libphonenumber, so Canada has local numbers only.
var nationalTypes = map[string][]string{
	"AT": {Local, TollFree}, "AU": {Local, TollFree}, "BE": {Local, TollFree}, "CA": {Local},
	"CH": {Local, TollFree}, "DE": {Local, TollFree}, "DK": {Local, TollFree}, "ES": {Local, TollFree},
	"FI": {Local, TollFree}, "FR": {Local, TollFree}, "GB": {Local, TollFree}, "IE": {Local, TollFree},
	"IT": {Local, TollFree}, "JP": {Local, TollFree}, "NL": {Local, TollFree}, "NO": {Local, TollFree},
	"NZ": {Local, TollFree}, "SE": {Local, TollFree},
}

// nationalSize is how many numbers the catalogue has per country and type
// outside the US.
const nationalSize = 200

// maxAttempts bounds the candidates drawn for one list, in case a country's
// numbering plan accepts few of them.
const maxAttempts = 50 * nationalSize

var libType = map[string][]phonenumbers.PhoneNumberType{
	Local:    {phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE},
	TollFree: {phonenumbers.TOLL_FREE},
}

// nationalList is the numbers of one country and type, ascending.
type nationalList struct {
	once    sync.Once
	numbers []string
	index   map[string]bool
}

var nationals = func() map[string]*nationalList {
	m := map[string]*nationalList{}
	for country, types := range nationalTypes {
		for _, t := range types {
			m[country+"/"+t] = &nationalList{}
		}
	}
	return m
}()

// list draws the numbers of a country and type: candidates shaped like
// libphonenumber's example number of that type (same length, same leading
// digits for toll-free, same first digit for local), kept when the data says
// they are valid numbers of that country and type.
func (l *nationalList) list(country, typ string) []string {
	l.once.Do(func() {
		want := libType[typ]
		example := phonenumbers.GetExampleNumberForType(country, want[0])
		if example == nil {
			return
		}
		digits := phonenumbers.GetNationalSignificantNumber(example)
		keep := 1
		if typ == TollFree {
			keep = phonenumbers.GetLengthOfNationalDestinationCode(example)
		}
		r := newRand(country + "/" + typ)
		l.index = map[string]bool{}
		for attempt := 0; attempt < maxAttempts && len(l.numbers) < nationalSize; attempt++ {
			nsn := []byte(digits[:keep])
			for len(nsn) < len(digits) {
				nsn = append(nsn, byte('0'+r.next()%10))
			}
			pn, err := phonenumbers.Parse("+"+strconv.Itoa(int(example.GetCountryCode()))+string(nsn), "")
			if err != nil || !phonenumbers.IsValidNumberForRegion(pn, country) || !slices.Contains(want, phonenumbers.GetNumberType(pn)) {
				continue
			}
			if n := e164(pn); !l.index[n] {
				l.index[n] = true
				l.numbers = append(l.numbers, n)
			}
		}
		sort.Strings(l.numbers)
	})
	return l.numbers
}

func searchNational(f Filter, after string) iter.Seq[Number] {
	return func(yield func(Number) bool) {
		l, ok := nationals[f.Country+"/"+f.Type]
		if !ok {
			return
		}
		numbers := l.list(f.Country, f.Type)
		// The list is sorted, so start right after after.
		i := sort.SearchStrings(numbers, after)
		if i < len(numbers) && numbers[i] == after {
			i++
		}
		for _, n := range numbers[i:] {
			if !yield(Number{E164: n, Country: f.Country, Type: f.Type}) {
				return
			}
		}
	}
}

func lookupNational(e164, country string) (Number, bool) {
	for _, t := range nationalTypes[country] {
		l := nationals[country+"/"+t]
		l.list(country, t)
		if l.index[e164] {
			return Number{E164: e164, Country: country, Type: t}, true
		}
	}
	return Number{}, false
}
