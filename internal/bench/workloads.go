package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// generator makes one worker's requests of a workload.
type generator interface {
	next() request
	// observe sees the body of the successful answer to the request next
	// returned last.
	observe(body []byte)
}

// Workload is one kind of load.
type Workload struct {
	Name string
	// Note says what the workload does, for the report.
	Note string
	// route is the ServeMux pattern the baseline answers the workload's
	// requests on; "" for a mix.
	route string
	// parts are the single-operation workloads a mix draws from; nil for a
	// single operation.
	parts  []weighted
	newGen func(f Fixture, worker int, rng *rand.Rand) generator
}

type weighted struct {
	w      Workload
	weight int
}

// Workloads are the workloads chimebench knows, in report order.
func Workloads() []Workload {
	single := []Workload{getUser, getAccount, listUsers, createUser, updateUser, searchNumbers}
	return append(single, mix)
}

// WorkloadsNamed returns the named workloads ("all" is every one), in
// report order.
func WorkloadsNamed(names string) ([]Workload, error) {
	if names == "all" {
		return Workloads(), nil
	}
	var out []Workload
	for name := range strings.SplitSeq(names, ",") {
		i := slices.IndexFunc(Workloads(), func(w Workload) bool { return strings.EqualFold(w.Name, name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown workload %q (known: %s)", name, strings.Join(workloadNames(), ", "))
		}
		out = append(out, Workloads()[i])
	}
	return out, nil
}

func workloadNames() []string {
	var names []string
	for _, w := range Workloads() {
		names = append(names, w.Name)
	}
	return names
}

// operations are the single-operation workloads w consists of: itself, or a
// mix's parts.
func (w Workload) operations() []Workload {
	if w.parts == nil {
		return []Workload{w}
	}
	var out []Workload
	for _, p := range w.parts {
		out = append(out, p.w)
	}
	return out
}

// fixed is a generator whose requests do not depend on earlier answers.
type fixed func() request

func (g fixed) next() request  { return g() }
func (g fixed) observe([]byte) {}

var getUser = Workload{
	Name:  "GetUser",
	Note:  "a uniformly random seeded user",
	route: "GET /accounts/{accountId}/users/{userId}",
	newGen: func(f Fixture, worker int, rng *rand.Rand) generator {
		return fixed(func() request {
			return request{method: http.MethodGet, target: f.userPath(rng.IntN(f.Scale)), want: http.StatusOK}
		})
	},
}

var getAccount = Workload{
	Name:  "GetAccount",
	Note:  "the seeded account",
	route: "GET /accounts/{accountId}",
	newGen: func(f Fixture, worker int, rng *rand.Rand) generator {
		return fixed(func() request {
			return request{method: http.MethodGet, target: "/accounts/" + f.AccountID, want: http.StatusOK}
		})
	},
}

var createUser = Workload{
	Name:  "CreateUser",
	Note:  "a new user with a fresh email, in the seeded account",
	route: "POST /accounts/{accountId}/users",
	newGen: func(f Fixture, worker int, rng *rand.Rand) generator {
		// A random tag of the generator's own (not from rng, which repeats
		// for every generator of this worker) keeps emails unique across
		// workloads, servers and runs.
		tag := fmt.Sprintf("%016x", rand.Uint64())
		n := 0
		return fixed(func() request {
			n++
			body := fmt.Sprintf(`{"Username":"new-%s-%d-%d","Email":"new-%s-%d-%d@bench.example.com","UserType":"PrivateUser"}`,
				tag, worker, n, tag, worker, n)
			return request{method: http.MethodPost, target: "/accounts/" + f.AccountID + "/users?operation=create", body: []byte(body), want: http.StatusCreated}
		})
	},
}

var updateUser = Workload{
	Name:  "UpdateUser",
	Note:  "a random seeded user's license, Basic or Pro",
	route: "POST /accounts/{accountId}/users/{userId}",
	newGen: func(f Fixture, worker int, rng *rand.Rand) generator {
		return fixed(func() request {
			license := "Basic"
			if rng.IntN(2) == 0 {
				license = "Pro"
			}
			body := `{"LicenseType":"` + license + `"}`
			return request{method: http.MethodPost, target: f.userPath(rng.IntN(f.Scale)), body: []byte(body), want: http.StatusOK}
		})
	},
}

var searchNumbers = Workload{
	Name:  "SearchAvailablePhoneNumbers",
	Note:  "US numbers in area code 206, 100 a page",
	route: "GET /search",
	newGen: func(f Fixture, worker int, rng *rand.Rand) generator {
		return fixed(func() request {
			return request{method: http.MethodGet, target: "/search?type=phone-numbers&area-code=206&country=US&max-results=100", want: http.StatusOK}
		})
	},
}

var listUsers = Workload{
	Name:  "ListUsers",
	Note:  "pages of 100: each worker follows NextToken from its own place in the listing, and starts over at the end",
	route: "GET /accounts/{accountId}/users",
	newGen: func(f Fixture, worker int, rng *rand.Rand) generator {
		p := &pager{f: f}
		if len(f.ListStarts) > 0 {
			p.token = f.ListStarts[worker%len(f.ListStarts)]
		}
		return p
	},
}

// pager walks the user listing page by page and starts again at the end,
// as a provisioning job reading every user does.
type pager struct {
	f     Fixture
	token string
}

func (p *pager) next() request {
	target := "/accounts/" + p.f.AccountID + "/users?max-results=100"
	if p.token != "" {
		target += "&next-token=" + url.QueryEscape(p.token)
	}
	return request{method: http.MethodGet, target: target, want: http.StatusOK}
}

// observe takes the NextToken from the page. Decoding the whole page (100
// users) would cost the client, which shares the machine with the server,
// more CPU than the rest of its request; a token is base64url, so it
// appears in the JSON as it is, and a quote inside a user's member would be
// escaped, so the key cannot be matched by mistake.
func (p *pager) observe(body []byte) {
	p.token = ""
	const key = `"NextToken":"`
	i := bytes.LastIndex(body, []byte(key))
	if i < 0 {
		return // the last page: start again from the first
	}
	rest := body[i+len(key):]
	if end := bytes.IndexByte(rest, '"'); end >= 0 {
		p.token = string(rest[:end])
	}
}

// mixParts are a provisioning job's day: mostly reading users, some updates,
// a few new users and listings.
var mixParts = []weighted{
	{getUser, 60}, {updateUser, 15}, {getAccount, 10}, {listUsers, 10}, {createUser, 5},
}

var mix = Workload{
	Name:   "mix",
	Note:   "60% GetUser, 15% UpdateUser, 10% GetAccount, 10% ListUsers, 5% CreateUser",
	parts:  mixParts,
	newGen: newMixer,
}

func newMixer(f Fixture, worker int, rng *rand.Rand) generator {
	g := &mixer{rng: rng}
	for _, p := range mixParts {
		g.gens = append(g.gens, p.w.newGen(f, worker, rng))
		g.weights = append(g.weights, p.weight)
		g.total += p.weight
	}
	return g
}

// mixer draws each request from one of its generators, by weight.
type mixer struct {
	rng     *rand.Rand
	gens    []generator
	weights []int
	total   int
	last    generator
}

func (m *mixer) next() request {
	n := m.rng.IntN(m.total)
	for i, w := range m.weights {
		if n < w {
			m.last = m.gens[i]
			break
		}
		n -= w
	}
	return m.last.next()
}

func (m *mixer) observe(body []byte) { m.last.observe(body) }

func (f Fixture) userPath(i int) string {
	return "/accounts/" + f.AccountID + "/users/" + f.UserID(i)
}
