package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// TestPprofOnlyOnItsOwnAddress: --pprof-addr serves the profiling
// endpoints there, and the API's address never does.
func TestPprofOnlyOnItsOwnAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pprofAddr := ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name      string
		pprofAddr string
	}{
		{"enabled", pprofAddr},
		{"disabled", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{
				Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "chimed.db"), JobInterval: time.Hour,
				LogOutput: io.Discard, PprofAddr: tc.pprofAddr,
			}
			s, err := Start(context.Background(), cfg, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := pprofStatus(t, s.URL+"/debug/pprof/goroutine"); got == http.StatusOK {
				t.Errorf("the API's address serves /debug/pprof/")
			}
			if tc.pprofAddr == "" {
				return
			}
			if got := pprofStatus(t, "http://"+tc.pprofAddr+"/debug/pprof/goroutine"); got != http.StatusOK {
				t.Errorf("--pprof-addr answers %d to /debug/pprof/goroutine, want 200", got)
			}
			// The command line can hold secrets (--smtp-password, for one).
			if got := pprofStatus(t, "http://"+tc.pprofAddr+"/debug/pprof/cmdline"); got == http.StatusOK {
				t.Errorf("--pprof-addr serves the command line")
			}
		})
	}
}

func pprofStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
