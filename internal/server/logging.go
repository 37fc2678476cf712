package server

import (
	"fmt"
	"io"
	"log/slog"
)

// newLogger builds the server's structured logger from the configuration.
func newLogger(cfg Config, stdout io.Writer) (*slog.Logger, error) {
	out := cfg.LogOutput
	if out == nil {
		out = stdout
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(defaultString(cfg.LogLevel, "info"))); err != nil {
		return nil, fmt.Errorf("-log-level: %q is not one of debug, info, warn, error", cfg.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch defaultString(cfg.LogFormat, "json") {
	case "json":
		return slog.New(slog.NewJSONHandler(out, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(out, opts)), nil
	}
	return nil, fmt.Errorf("-log-format: %q is not json or text", cfg.LogFormat)
}

func defaultString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
