package server

import (
	"flag"
	"fmt"
	"io"
	"time"
)

// Config is everything the server can be told at start-up. Each flag has an
// environment variable that sets its default.
type Config struct {
	Addr        string
	DB          string
	Credentials string
	// JobInterval is how often background lifecycles look for due work.
	JobInterval time.Duration
	// Now is the clock of the domain and its lifecycles (time.Now when nil).
	// Tests move it forward; request signatures are always checked against
	// the real time.
	Now func() time.Time
}

// parseConfig reads flags, with defaults from the environment.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var cfg Config
	fs := flag.NewFlagSet("chimed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env("CHIMED_ADDR", "127.0.0.1:8080"), "listen address (env CHIMED_ADDR)")
	fs.StringVar(&cfg.DB, "db", env("CHIMED_DB", "chimed.db"), "SQLite database file (env CHIMED_DB)")
	fs.StringVar(&cfg.Credentials, "credentials", env("CHIMED_CREDENTIALS", ""),
		"JSON file of accepted access keys (env CHIMED_CREDENTIALS); without it a development key is used")
	interval, err := time.ParseDuration(env("CHIMED_JOB_INTERVAL", "1s"))
	if err != nil {
		return cfg, fmt.Errorf("CHIMED_JOB_INTERVAL: %w", err)
	}
	fs.DurationVar(&cfg.JobInterval, "job-interval", interval, "how often background jobs look for due work (env CHIMED_JOB_INTERVAL)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.JobInterval <= 0 {
		return cfg, fmt.Errorf("-job-interval: must be positive")
	}
	return cfg, nil
}
