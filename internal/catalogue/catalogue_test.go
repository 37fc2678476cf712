package catalogue

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func first(f Filter, after string, n int) []Number {
	var out []Number
	for num := range Search(f, after) {
		out = append(out, num)
		if len(out) == n {
			break
		}
	}
	return out
}

func TestSearchUS(t *testing.T) {
	tests := []struct {
		name   string
		filter Filter
		check  func(Number) bool
	}{
		{"area code", Filter{Country: US, Type: Local, AreaCode: "206"},
			func(n Number) bool { return strings.HasPrefix(n.E164, "+1206") && n.State == "WA" }},
		// The data names no place for 718 as a whole, only its exchanges.
		{"area code known by its exchanges", Filter{Country: US, Type: Local, AreaCode: "718"},
			func(n Number) bool { return strings.HasPrefix(n.E164, "+1718") && n.State == "NY" }},
		{"state", Filter{Country: US, Type: Local, State: "OR"},
			func(n Number) bool { return n.State == "OR" }},
		{"city", Filter{Country: US, Type: Local, State: "WA", City: "seattle"},
			func(n Number) bool { return n.City == "Seattle" && n.State == "WA" }},
		{"area code and city", Filter{Country: US, Type: Local, AreaCode: "415", State: "CA", City: "San Francisco"},
			func(n Number) bool { return strings.HasPrefix(n.E164, "+1415") && n.City == "San Francisco" }},
		{"toll-free prefix", Filter{Country: US, Type: TollFree, TollFreePrefix: "888"},
			func(n Number) bool { return strings.HasPrefix(n.E164, "+1888") && n.Type == TollFree }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := first(tt.filter, "", 60)
			if len(got) != 60 {
				t.Fatalf("got %d numbers, want 60", len(got))
			}
			for i, n := range got {
				if !tt.check(n) {
					t.Fatalf("%+v does not match the filter", n)
				}
				if i > 0 && got[i-1].E164 >= n.E164 {
					t.Fatalf("not ascending: %s then %s", got[i-1].E164, n.E164)
				}
				pn, err := phonenumbers.Parse(n.E164, "")
				if err != nil || !phonenumbers.IsValidNumberForRegion(pn, US) {
					t.Fatalf("%s is not a valid US number", n.E164)
				}
				if found, ok := Lookup(n.E164); !ok || found != n {
					t.Fatalf("Lookup(%s) = %+v, %v; want %+v", n.E164, found, ok, n)
				}
			}
			// Searching again after the 20th number continues with the 21st.
			if again := first(tt.filter, got[19].E164, 40); !slices.Equal(again, got[20:]) {
				t.Fatalf("search after %s gave %v, want %v", got[19].E164, again, got[20:])
			}
		})
	}
}

func TestSearchUnknownPlaceFindsNothing(t *testing.T) {
	for _, f := range []Filter{
		{Country: US, Type: Local, State: "WA", City: "Springfield of Nowhere"},
		{Country: US, Type: Local, AreaCode: "206", State: "OR"},
		{Country: US, Type: Local, AreaCode: "999"},
		{Country: "ZZ", Type: Local},
	} {
		if got := first(f, "", 1); len(got) != 0 {
			t.Errorf("%+v found %v", f, got)
		}
	}
}

func TestNationalLists(t *testing.T) {
	for country, types := range nationalTypes {
		for _, typ := range types {
			t.Run(country+"/"+typ, func(t *testing.T) {
				got := first(Filter{Country: country, Type: typ}, "", nationalSize)
				if len(got) < nationalSize/2 {
					t.Fatalf("only %d numbers", len(got))
				}
				for _, n := range got[:20] {
					pn, err := phonenumbers.Parse(n.E164, "")
					if err != nil || phonenumbers.GetRegionCodeForNumber(pn) != country {
						t.Fatalf("%s is not a number of %s", n.E164, country)
					}
					if found, ok := Lookup(n.E164); !ok || found != n {
						t.Fatalf("Lookup(%s) = %+v, %v", n.E164, found, ok)
					}
				}
			})
		}
	}
}

func TestLookupRefusesNumbersOutsideTheCatalogue(t *testing.T) {
	n := first(Filter{Country: US, Type: Local, AreaCode: "206"}, "", 1)[0]
	// Another line of the same exchange that the catalogue does not offer.
	exchange, _ := strconv.Atoi(n.E164[2:8])
	var other string
	for line := 0; line < 10000; line++ {
		if !hasLine(exchange, line) {
			other = n.E164[:8] + strconv.Itoa(10000 + line)[1:]
			break
		}
	}
	for _, e164 := range []string{other, "+19999999999", "12065550100", "+1206", "+4412", "not a number"} {
		if got, ok := Lookup(e164); ok {
			t.Errorf("Lookup(%s) = %+v, want not found", e164, got)
		}
	}
}

func TestLinesAreDeterministic(t *testing.T) {
	a, b := lines(206267), lines(206267)
	if !slices.Equal(a, b) || len(a) != linesPerExchange || !slices.IsSorted(a) {
		t.Fatalf("lines: %v then %v", a, b)
	}
	if slices.Equal(a, lines(206268)) {
		t.Fatal("two exchanges offer the same lines")
	}
}

// TestVerdictsAreTheData checks that a remembered verdict is what the data
// says, for numbers of a geographic and a toll-free exchange, asked twice.
func TestVerdictsAreTheData(t *testing.T) {
	tests := []struct {
		name   string
		base   uint64
		cached func(uint64) (Number, bool)
		decide func(uint64) (Number, bool)
	}{
		{"local", 2062310000, usLocalNumber, usLocal},
		{"toll-free", 8002310000, tollFreeNumber, tollFree},
	}
	for _, tc := range tests {
		for range 2 {
			for line := uint64(0); line < 300; line++ {
				nsn := tc.base + line
				gotN, gotOK := tc.cached(nsn)
				wantN, wantOK := tc.decide(nsn)
				if gotN != wantN || gotOK != wantOK {
					t.Fatalf("%s %d: remembered %+v %v, data says %+v %v", tc.name, nsn, gotN, gotOK, wantN, wantOK)
				}
			}
		}
	}
}

func TestVerdictCacheStaysBounded(t *testing.T) {
	c := &verdictCache{m: map[uint64]verdict{}}
	decide := func(nsn uint64) (Number, bool) { return Number{E164: strconv.FormatUint(nsn, 10)}, nsn%2 == 0 }
	for nsn := range uint64(maxVerdicts + 10) {
		if n, ok := c.of(nsn, decide); n.E164 != strconv.FormatUint(nsn, 10) || ok != (nsn%2 == 0) {
			t.Fatalf("%d: got %+v %v", nsn, n, ok)
		}
	}
	if len(c.m) > maxVerdicts {
		t.Fatalf("%d verdicts kept, want at most %d", len(c.m), maxVerdicts)
	}
}

// The toll-free search walks every exchange of a prefix, the first (200)
// and the last (999) included: each number Lookup knows there is offered.
func TestTollFreeSearchCoversEveryExchange(t *testing.T) {
	for _, prefix := range TollFreePrefixes {
		npa, _ := strconv.Atoi(prefix)
		for _, nxx := range []int{200, 555, 999} {
			var want []Number
			for _, line := range lines(npa*1000 + nxx) {
				if n, ok := Lookup("+1" + strconv.Itoa(npa*1e7+nxx*1e4+line)); ok {
					want = append(want, n)
				}
			}
			if len(want) == 0 {
				continue
			}
			// Start just before the exchange.
			after := "+1" + strconv.Itoa(npa*1e7+nxx*1e4-1)
			got := first(Filter{Country: US, Type: TollFree, TollFreePrefix: prefix}, after, len(want))
			if !slices.Equal(got, want) {
				t.Errorf("%s-%d: search offers %v, want %v", prefix, nxx, got, want)
			}
		}
	}
}

// Lookup knows a number by its E.164 form only: another spelling of a
// catalogue number is not a number of the catalogue.
func TestLookupTakesE164Only(t *testing.T) {
	n := first(Filter{Country: US, Type: Local, AreaCode: "206"}, "", 1)[0]
	tf := first(Filter{Country: US, Type: TollFree, TollFreePrefix: "800"}, "", 1)[0]
	gb := first(Filter{Country: "GB", Type: Local}, "", 1)[0]
	for _, num := range []Number{n, tf, gb} {
		if _, ok := Lookup(num.E164); !ok {
			t.Fatalf("Lookup(%s) found nothing", num.E164)
		}
		for _, other := range []string{"+1 " + num.E164[2:], num.E164[:2] + "-" + num.E164[2:], "+" + num.E164[1:3] + " (" + num.E164[3:] + ")"} {
			if got, ok := Lookup(other); ok {
				t.Errorf("Lookup(%q) = %+v, want not found", other, got)
			}
		}
	}
}
