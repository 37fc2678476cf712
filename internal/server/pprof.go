package server

import (
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiling endpoints (/debug/pprof/) on ln, the
// --pprof-addr. They get an address of their own, never the API's:
// profiles reveal memory contents and cost CPU, so only an operator who
// asked for them, on an address they chose, may reach them. The command
// line is not served: it can hold secrets (--smtp-password, for one).
func (s *Server) servePprof(ln net.Listener) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s.pprofHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.pprofHTTP.Serve(ln)
}
