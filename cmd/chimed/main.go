// Command chimed serves the Amazon Chime administration API.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/chimed/chimed/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal starts a clean stop, which waits for requests and
	// calls in progress; a second one ends the process at once, as the
	// signal's default action does.
	context.AfterFunc(ctx, stop)
	if err := server.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "chimed:", err)
		os.Exit(1)
	}
}
