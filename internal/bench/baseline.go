package bench

import (
	"io"
	"net"
	"net/http"
	"time"
)

// canned is an answer the baseline gives: what chimed answered to the same
// request.
type canned struct {
	status int
	body   []byte
}

// Baseline is the bare net/http server chimed is compared with: the same
// routes, answering each with a fixed document of the size chimed's answer
// has, with no authentication, no storage and no encoding. Whatever chimed
// costs beyond it is chimed's own work.
type Baseline struct {
	URL string
	srv *http.Server
}

// StartBaseline serves answers (by workload name) on a loopback port, on the
// routes of those workloads.
func StartBaseline(answers map[string]canned) (*Baseline, error) {
	mux := http.NewServeMux()
	for _, w := range Workloads() {
		a, ok := answers[w.Name]
		if !ok || w.route == "" {
			continue
		}
		mux.HandleFunc(w.route, func(rw http.ResponseWriter, r *http.Request) {
			// Read the body, as any server must, before answering.
			io.Copy(io.Discard, r.Body)
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(a.status)
			rw.Write(a.body)
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &Baseline{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go b.srv.Serve(ln)
	return b, nil
}

// Close stops the server.
func (b *Baseline) Close() error { return b.srv.Close() }
