// Package catalogue is chimed's telephone carrier: the stock of numbers that
// can be ordered. chimed has no carrier behind it, so the stock is generated:
// a fixed, deterministic set of numbers that libphonenumber's data says are
// valid numbers of their country and type. The same build always offers the
// same numbers, in the same order; which of them are already sold is not the
// catalogue's business (the store knows that).
//
// In the US the catalogue offers, in every geographic exchange (area code +
// the next three digits) whose location libphonenumber knows, and in every
// exchange of the toll-free prefixes, linesPerExchange lines. Elsewhere it
// offers up to nationalSize numbers per country and type.
package catalogue

import (
	"hash/fnv"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The number types, spelled as the API's PhoneNumberType enum.
const (
	Local    = "Local"
	TollFree = "TollFree"
)

// US is the country the API treats apart: searches by area code, city,
// state and toll-free prefix apply to it only.
const US = "US"

// Number is a number of the catalogue.
type Number struct {
	E164    string
	Country string // ISO 3166-1 alpha-2
	Type    string // Local or TollFree
	// City and State (a two-letter code) locate a US local number.
	City  string
	State string
}

// Filter says which numbers a search wants. Country and Type are required;
// the others narrow US searches.
type Filter struct {
	Country        string
	Type           string
	AreaCode       string // three digits
	State          string // two-letter code
	City           string // needs State
	TollFreePrefix string // 800, 833, 844, 855, 866, 877 or 888
}

// TollFreePrefixes are the US toll-free area codes.
var TollFreePrefixes = []string{"800", "833", "844", "855", "866", "877", "888"}

// Countries are the countries the catalogue has numbers in, with the types
// it has: the US (handled apart) and the national lists.
func Countries() map[string][]string {
	out := map[string][]string{US: {Local, TollFree}}
	for country, types := range nationalTypes {
		out[country] = types
	}
	return out
}

// Search yields the numbers that match f, in ascending order of their E.164
// form, starting after the number after ("" = from the first).
func Search(f Filter, after string) iter.Seq[Number] {
	switch {
	case f.Country == US && f.Type == TollFree:
		return searchTollFree(f, after)
	case f.Country == US:
		return searchUSLocal(f, after)
	default:
		return searchNational(f, after)
	}
}

// Lookup says whether e164 is a number of the catalogue, and which.
func Lookup(e164 string) (Number, bool) {
	pn, err := phonenumbers.Parse(e164, "")
	if err != nil || phonenumbers.Format(pn, phonenumbers.E164) != e164 {
		return Number{}, false
	}
	country := phonenumbers.GetRegionCodeForNumber(pn)
	if country == US {
		nsn := pn.GetNationalNumber()
		npa, nxx, line := int(nsn/1e7), int(nsn/1e4%1000), int(nsn%1e4)
		if !hasLine(npa*1000+nxx, line) {
			return Number{}, false
		}
		if isTollFreePrefix(npa) {
			return tollFreeNumber(nsn)
		}
		return usLocalNumber(nsn)
	}
	return lookupNational(e164, country)
}

// Classify says which country a number is of and whether it is toll-free:
// the catalogue's answer for its numbers, else libphonenumber's from the
// digits alone. The reference's product-type rules depend on nothing else,
// so they hold for numbers the catalogue does not offer too.
func Classify(e164 string) (Number, bool) {
	if n, ok := Lookup(e164); ok {
		return n, true
	}
	pn, err := phonenumbers.Parse(e164, "")
	if err != nil || !phonenumbers.IsValidNumber(pn) {
		return Number{}, false
	}
	typ := Local
	if phonenumbers.GetNumberType(pn) == phonenumbers.TOLL_FREE {
		typ = TollFree
	}
	return Number{E164: e164, Country: phonenumbers.GetRegionCodeForNumber(pn), Type: typ}, true
}

// linesPerExchange is how many numbers of each US exchange the catalogue
// offers.
const linesPerExchange = 20

// lines returns the line numbers (the last four digits) the catalogue offers
// in an exchange, identified by its six digits (area code and exchange
// code), in ascending order. They are drawn from a generator seeded with the
// exchange, so they are spread out and the same on every run.
func lines(exchange int) []int {
	r := newRand("US/" + strconv.Itoa(exchange))
	out := make([]int, 0, linesPerExchange)
	for len(out) < linesPerExchange {
		if line := int(r.next() % 10000); !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return out
}

func hasLine(exchange, line int) bool { return slices.Contains(lines(exchange), line) }

// rand is splitmix64: small, and defined by its arithmetic alone, so the
// catalogue cannot change under a new Go release.
type rand struct{ state uint64 }

func newRand(seed string) *rand {
	h := fnv.New64a()
	h.Write([]byte(seed))
	return &rand{state: h.Sum64()}
}

func (r *rand) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// nanp builds a North American number from its ten national digits.
func nanp(nsn uint64) *phonenumbers.PhoneNumber {
	cc := int32(1)
	return &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nsn}
}

func e164(pn *phonenumbers.PhoneNumber) string { return phonenumbers.Format(pn, phonenumbers.E164) }

func isTollFreePrefix(npa int) bool {
	return slices.Contains(TollFreePrefixes, strconv.Itoa(npa))
}

func tollFreeNumber(nsn uint64) (Number, bool) { return tollFreeVerdicts.of(nsn, tollFree) }

func tollFree(nsn uint64) (Number, bool) {
	pn := nanp(nsn)
	if !phonenumbers.IsValidNumberForRegion(pn, US) || phonenumbers.GetNumberType(pn) != phonenumbers.TOLL_FREE {
		return Number{}, false
	}
	return Number{E164: e164(pn), Country: US, Type: TollFree}, true
}

// searchTollFree walks the exchanges of one toll-free prefix, or of all.
func searchTollFree(f Filter, after string) iter.Seq[Number] {
	prefixes := TollFreePrefixes
	if f.TollFreePrefix != "" {
		prefixes = []string{f.TollFreePrefix}
	}
	return func(yield func(Number) bool) {
		for _, p := range prefixes {
			npa, err := strconv.Atoi(p)
			if err != nil || !isTollFreePrefix(npa) {
				continue
			}
			for nxx := 200; nxx <= 999; nxx++ {
				if !walkExchange(npa, nxx, after, tollFreeNumber, yield) {
					return
				}
			}
		}
	}
}

// walkExchange yields the catalogue's numbers of one exchange that come after
// after and that number accepts; false means the consumer stopped.
func walkExchange(npa, nxx int, after string, number func(uint64) (Number, bool), yield func(Number) bool) bool {
	base := uint64(npa)*1e7 + uint64(nxx)*1e4
	// Numbers of one country code have one length, so E.164 strings
	// compare like the numbers.
	if after != "" && "+1"+strconv.FormatUint(base+9999, 10) <= after {
		return true
	}
	for _, line := range lines(npa*1000 + nxx) {
		nsn := base + uint64(line)
		if after != "" && "+1"+strconv.FormatUint(nsn, 10) <= after {
			continue
		}
		if n, ok := number(nsn); ok && !yield(n) {
			return false
		}
	}
	return true
}

// splitPlace reads libphonenumber's "Seattle, WA" as a city and its US state.
// The data names the capital "Washington D.C." alone: the city of
// Washington, DC. Other places without a city (a state's name alone, as for
// New York's borough-wide area code 917) are not a city, and not split.
func splitPlace(place string) (city, state string, ok bool) {
	if place == usStates["DC"] {
		return "Washington", "DC", true
	}
	i := strings.LastIndex(place, ", ")
	if i <= 0 {
		return "", "", false
	}
	city, state = place[:i], place[i+2:]
	_, ok = usStates[state]
	return city, state, ok
}

// IsValidNumber reports whether e164 is a valid phone number of any country,
// by libphonenumber's data.
func IsValidNumber(e164 string) bool {
	pn, err := phonenumbers.Parse(e164, "")
	return err == nil && phonenumbers.IsValidNumber(pn)
}

// maxVerdicts bounds each verdict cache: about 150 bytes an entry.
const maxVerdicts = 1 << 14

var (
	localVerdicts    = &verdictCache{m: map[uint64]verdict{}}
	tollFreeVerdicts = &verdictCache{m: map[uint64]verdict{}}
)

// verdictCache remembers what libphonenumber said of US numbers. Deciding
// one (validity, type and place, by the data's regular expressions) was 89%
// of a SearchAvailablePhoneNumbers call, and searches of one area code
// walk the same numbers each time; the data does not change while the
// process runs, so a remembered verdict is the verdict. When full it
// starts over.
type verdictCache struct {
	mu sync.Mutex
	m  map[uint64]verdict
}

type verdict struct {
	n  Number
	ok bool
}

// of returns decide's verdict on nsn, deciding it once.
func (c *verdictCache) of(nsn uint64, decide func(uint64) (Number, bool)) (Number, bool) {
	c.mu.Lock()
	v, seen := c.m[nsn]
	c.mu.Unlock()
	if seen {
		return v.n, v.ok
	}
	n, ok := decide(nsn)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxVerdicts {
		clear(c.m)
	}
	c.m[nsn] = verdict{n: n, ok: ok}
	return n, ok
}
