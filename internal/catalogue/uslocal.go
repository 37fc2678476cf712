package catalogue

import (
	"iter"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// usStates are the US states (and the District of Columbia) by two-letter
// code, with the name libphonenumber's geocoding data gives an area code that
// covers more than one city.
var usStates = map[string]string{
	"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
	"CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "Washington D.C.", "FL": "Florida",
	"GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
	"IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine",
	"MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
	"MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
	"NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
	"OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
	"SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
	"VT": "Vermont", "VA": "Virginia", "WA": "Washington State", "WV": "West Virginia", "WI": "Wisconsin",
	"WY": "Wyoming",
}

// IsUSState reports whether code is the two-letter code of a US state or DC.
func IsUSState(code string) bool {
	_, ok := usStates[code]
	return ok
}

// exchange is a US exchange whose location libphonenumber knows.
type exchange struct {
	nxx         int
	city, state string
}

// usIndex says which area codes and exchanges are geographic US ones. It is
// worked out from libphonenumber's data on first use: the area codes all at
// once (a search by state needs them all), the exchanges of an area code
// when it is first searched.
type usIndex struct {
	once     sync.Once
	npaState map[int]string // geographic US area code → state code
	npas     []int          // the keys of npaState, ascending

	mu        sync.Mutex
	exchanges map[int][]exchange // area code → its exchanges, ascending
}

var us = &usIndex{exchanges: map[int][]exchange{}}

func geocode(nsn uint64) string {
	place, err := phonenumbers.GetGeocodingForNumber(nanp(nsn), "en")
	if err != nil {
		return ""
	}
	return place
}

func (x *usIndex) areaCodes() (map[int]string, []int) {
	x.once.Do(func() {
		names := make(map[string]string, len(usStates))
		for code, name := range usStates {
			names[name] = code
		}
		stateOf := func(place string) (string, bool) {
			if state, ok := names[place]; ok {
				return state, true
			}
			_, state, ok := splitPlace(place)
			return state, ok
		}
		x.npaState = map[int]string{}
		for npa := 200; npa <= 999; npa++ {
			if isTollFreePrefix(npa) || !isUSLocal(nanp(uint64(npa)*1e7+2345678)) {
				continue
			}
			// Exchange 000 does not exist, so this is what the data says
			// of the whole area code: a state, or the one city it serves.
			// Where it says nothing, its exchanges tell.
			state, ok := stateOf(geocode(uint64(npa) * 1e7))
			for nxx := 200; !ok && nxx <= 999; nxx += 10 {
				state, ok = stateOf(geocode(uint64(npa)*1e7 + uint64(nxx)*1e4))
			}
			if ok {
				x.npaState[npa] = state
				x.npas = append(x.npas, npa)
			}
		}
	})
	return x.npaState, x.npas
}

func (x *usIndex) exchangesOf(npa int) []exchange {
	x.mu.Lock()
	defer x.mu.Unlock()
	if ex, ok := x.exchanges[npa]; ok {
		return ex
	}
	var ex []exchange
	for nxx := 200; nxx <= 999; nxx++ {
		if city, state, ok := splitPlace(geocode(uint64(npa)*1e7 + uint64(nxx)*1e4)); ok {
			ex = append(ex, exchange{nxx: nxx, city: city, state: state})
		}
	}
	x.exchanges[npa] = ex
	return ex
}

func isUSLocal(pn *phonenumbers.PhoneNumber) bool {
	if !phonenumbers.IsValidNumberForRegion(pn, US) {
		return false
	}
	t := phonenumbers.GetNumberType(pn)
	return t == phonenumbers.FIXED_LINE || t == phonenumbers.FIXED_LINE_OR_MOBILE
}

// usLocalNumber is the catalogue's rule for a US local number (its line
// already checked): a geographic exchange, valid, located by the data.
func usLocalNumber(nsn uint64) (Number, bool) { return localVerdicts.of(nsn, usLocal) }

func usLocal(nsn uint64) (Number, bool) {
	npa, nxx := int(nsn/1e7), int(nsn/1e4%1000)
	if _, ok := us.exchange(npa, nxx); !ok {
		return Number{}, false
	}
	pn := nanp(nsn)
	if !isUSLocal(pn) {
		return Number{}, false
	}
	// Blocks of an exchange may be placed more precisely than the exchange.
	city, state, ok := splitPlace(geocode(nsn))
	if !ok {
		return Number{}, false
	}
	return Number{E164: e164(pn), Country: US, Type: Local, City: city, State: state}, true
}

func (x *usIndex) exchange(npa, nxx int) (exchange, bool) {
	states, _ := x.areaCodes()
	if _, ok := states[npa]; !ok {
		return exchange{}, false
	}
	ex := x.exchangesOf(npa)
	i := sort.Search(len(ex), func(i int) bool { return ex[i].nxx >= nxx })
	if i == len(ex) || ex[i].nxx != nxx {
		return exchange{}, false
	}
	return ex[i], true
}

// searchUSLocal walks the area codes the filter allows, and in each the
// exchanges of the wanted state and city.
func searchUSLocal(f Filter, after string) iter.Seq[Number] {
	states, npas := us.areaCodes()
	if f.AreaCode != "" {
		npas = slices.DeleteFunc(slices.Clone(npas), func(npa int) bool { return strconv.Itoa(npa) != f.AreaCode })
	}
	if f.State != "" {
		npas = slices.DeleteFunc(slices.Clone(npas), func(npa int) bool { return states[npa] != f.State })
	}
	matches := func(nsn uint64) (Number, bool) {
		n, ok := usLocalNumber(nsn)
		ok = ok && (f.State == "" || n.State == f.State) && (f.City == "" || strings.EqualFold(n.City, f.City))
		return n, ok
	}
	return func(yield func(Number) bool) {
		for _, npa := range npas {
			for _, ex := range us.exchangesOf(npa) {
				if f.State != "" && ex.state != f.State || f.City != "" && !strings.EqualFold(ex.city, f.City) {
					continue
				}
				if !walkExchange(npa, ex.nxx, after, matches, yield) {
					return
				}
			}
		}
	}
}
