// Package server assembles chimed: configuration, store, authentication, the
// API handler, extension endpoints and background jobs.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chimed/chimed/internal/auth"
	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/jobs"
	"github.com/chimed/chimed/internal/store/sqlite"
	"github.com/chimed/chimed/internal/store/sqlstore"
	"github.com/chimed/chimed/internal/wire"
)

// Run runs chimed until ctx is done, then shuts it down cleanly. It is main
// without the process: tests call it with their own arguments and output.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	s, err := Start(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return s.Close()
}

// Server is a running chimed.
type Server struct {
	URL     string
	Service *chime.Service
	log     *slog.Logger
	http    *http.Server
	store   *sqlstore.DB
	stopJob context.CancelFunc
	jobDone sync.WaitGroup
}

// Start opens the store, listens on cfg.Addr and serves in the background. A
// port clash or a bad database fails here, before anything is served.
func Start(ctx context.Context, cfg Config, stdout io.Writer) (*Server, error) {
	log := slog.New(slog.NewTextHandler(stdout, nil))
	creds, err := credentials(cfg, stdout)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		store.Close()
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	svc := chime.NewService(store, now)
	verifier := auth.NewVerifier(creds, time.Now)
	s := &Server{
		URL:     "http://" + ln.Addr().String(),
		Service: svc,
		log:     log,
		store:   store,
	}
	s.http = &http.Server{
		Handler:           routes(svc, authenticator(verifier)),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go s.http.Serve(ln)

	jobCtx, stop := context.WithCancel(context.Background())
	s.stopJob = stop
	s.jobDone.Add(1)
	go func() {
		defer s.jobDone.Done()
		jobs.Run(jobCtx, cfg.JobInterval, log, s.tasks()...)
	}()
	fmt.Fprintf(stdout, "chimed listening on %s (store %s)\n", s.URL, cfg.DB)
	return s, nil
}

// tasks are the background lifecycles.
func (s *Server) tasks() []jobs.Task {
	return []jobs.Task{
		{Name: "purge-deleted-accounts", Run: func(ctx context.Context) error {
			_, err := s.Service.PurgeDeletedAccounts(ctx)
			return err
		}},
	}
}

// RunJobs runs every background task once, now. Tests call it after moving
// the clock instead of waiting for the next tick.
func (s *Server) RunJobs(ctx context.Context) {
	jobs.RunOnce(ctx, s.log, s.tasks()...)
}

// Close stops accepting requests, lets in-flight ones finish (for up to 10 s),
// stops the background jobs and closes the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.stopJob()
	s.jobDone.Wait()
	return errors.Join(err, s.store.Close())
}

func openStore(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return nil, errors.New("-db: PostgreSQL is not supported by this build yet; give a SQLite file path")
	}
	return sqlite.Open(ctx, dsn)
}

// credentials loads the accepted access keys, or announces the development
// key when none are configured so that `go run ./cmd/chimed` just works.
func credentials(cfg Config, stdout io.Writer) ([]auth.Credential, error) {
	if cfg.Credentials != "" {
		return auth.LoadFile(cfg.Credentials)
	}
	dev := auth.DevCredential()
	fmt.Fprintf(stdout, "no -credentials given: accepting the development key AccessKeyId=%s SecretAccessKey=%s (AWS account %s)\n",
		dev.AccessKeyID, dev.SecretAccessKey, dev.AwsAccountID)
	return []auth.Credential{dev}, nil
}

func authenticator(v *auth.Verifier) wire.Authenticator {
	return func(r *http.Request, body []byte) (chime.Caller, error) {
		cred, err := v.Verify(r, body)
		if err != nil {
			return chime.Caller{}, err
		}
		return chime.Caller{AwsAccountID: cred.AwsAccountID, PrincipalARN: cred.PrincipalARN, AccessKeyID: cred.AccessKeyID}, nil
	}
}
