package server

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiling endpoints (/debug/pprof/) when
// --pprof-addr is set. They get an address of their own, never the API's:
// profiles reveal memory contents and cost CPU, so only an operator who
// asked for them, on an address they chose, may reach them.
func (s *Server) servePprof() error {
	if s.cfg.PprofAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.PprofAddr)
	if err != nil {
		return fmt.Errorf("-pprof-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s.pprofHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.pprofHTTP.Serve(ln)
	return nil
}
