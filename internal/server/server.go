// Package server assembles chimed: configuration, store, authentication, the
// API handler, extension endpoints and background jobs.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/chimed/chimed/internal/audit"
	"github.com/chimed/chimed/internal/auth"
	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/faults"
	"github.com/chimed/chimed/internal/jobs"
	"github.com/chimed/chimed/internal/metrics"
	"github.com/chimed/chimed/internal/model"
	"github.com/chimed/chimed/internal/sip"
	"github.com/chimed/chimed/internal/store/postgres"
	"github.com/chimed/chimed/internal/store/sqlite"
	"github.com/chimed/chimed/internal/store/sqlstore"
	"github.com/chimed/chimed/internal/throttle"
	"github.com/chimed/chimed/internal/wire"
)

// Run runs chimed until ctx is done, then shuts it down cleanly. It is main
// without the process: tests call it with their own arguments and output.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "version" {
		fmt.Fprintln(stdout, "chimed", Version())
		return nil
	}
	if len(args) > 0 && args[0] == "help" {
		args = []string{"-help"}
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	logs := newBatchedWriter(stderr, logBatchDelay)
	defer logs.Flush()
	cfg.LogOutput = logs
	// Lines logged through slog's default logger (an internal error's, a
	// database upgrade's) take the configured format and output too.
	log, err := newLogger(cfg, stdout)
	if err != nil {
		return err
	}
	slog.SetDefault(log)
	// Caught from the start: a SIGHUP's default action ends the process,
	// and one sent while the database opens or migrates (a reload right
	// after a restart) would.
	hangups := make(chan os.Signal, 1)
	signal.Notify(hangups, syscall.SIGHUP)
	defer signal.Stop(hangups)
	s, err := Start(ctx, cfg, stdout)
	if err != nil && ctx.Err() != nil {
		// Stopped before it served, while the database opened or migrated:
		// an upgrade step in progress rolled back, and runs again at the
		// next start. A stop asked for is a clean one.
		log.Info("stopped while opening the database", "error", err.Error())
		return nil
	}
	if err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return s.Close()
		case <-hangups:
			s.reloadCredentials()
			s.reopenAuditLog()
		}
	}
}

// reloadCredentials reads the credentials file again, on SIGHUP, so that an
// operator can add, rotate or revoke keys without a restart. A file that
// does not load changes nothing: the keys in use stay.
func (s *Server) reloadCredentials() {
	if s.cfg.Credentials == "" {
		s.log.Warn("SIGHUP: no -credentials file to reload; the development key stays")
		return
	}
	creds, err := auth.LoadFile(s.cfg.Credentials)
	if err != nil {
		s.log.Error("SIGHUP: credentials not reloaded; the keys in use stay", "error", err.Error())
		return
	}
	s.verifier.Replace(creds)
	s.log.Info("SIGHUP: credentials reloaded", "file", s.cfg.Credentials, "keys", len(creds))
}

// reopenAuditLog opens the --audit-log file again by its name, on SIGHUP,
// for rotation. A name that cannot be opened leaves the file in use.
func (s *Server) reopenAuditLog() {
	if s.auditFile == nil {
		return
	}
	if err := s.auditFile.reopen(); err != nil {
		s.log.Error("SIGHUP: audit log not reopened; writing on to the file already open", "file", s.cfg.AuditLog, "error", err.Error())
		return
	}
	s.log.Info("SIGHUP: audit log reopened", "file", s.cfg.AuditLog)
}

// GCPercent is chimed's GOGC unless the environment sets one. A request
// allocates a few kilobytes that die with it, so the live heap stays small
// (tens of MB, even at a million users) and Go's default of 100 collects it
// many times a second under load: at 400, chimed spent 9% less CPU per
// GetUser in chimebench (92 µs, not 101), for 14 MB more resident memory at
// 1k users.
const GCPercent = 400

// memoryLimit is chimed's GOMEMLIMIT unless the environment sets one: with
// GOGC at 400 a burst of large answers (ListUsers pages) could otherwise
// grow the heap to five times what is live; near the limit the collector
// runs as often as it must. It bounds the Go heap only; SQLite's page
// cache (18 MB on two cores: internal/store/sqlite) comes on top.
const memoryLimit = 80 << 20

// Server is a running chimed.
type Server struct {
	URL     string
	Service *chime.Service

	cfg     Config
	log     *slog.Logger
	clock   *clock
	metrics *metrics.Metrics
	faults  *faults.Injector
	limiter *throttle.Limiter
	// verifier holds the accepted keys, which SIGHUP reloads.
	verifier *auth.Verifier
	// modelled are the error shapes each operation's model lists.
	modelled  map[string][]string
	audit     *audit.Recorder
	auditFile *auditFile
	trunk     *sip.Trunk // nil without --sip-trunk
	store     *sqlstore.DB
	http      *http.Server
	// handler is what http serves: starting, then the API.
	handler     atomic.Pointer[http.Handler]
	metricsHTTP *http.Server
	pprofHTTP   *http.Server
	jobs        *jobs.Runner
	stopJob     context.CancelFunc
	jobDone     sync.WaitGroup
}

// Start listens on cfg.Addr, opens the store and serves in the background. A
// port clash or a file that cannot be read fails here before the store is
// opened; a bad database before the API is served.
func Start(ctx context.Context, cfg Config, stdout io.Writer) (*Server, error) {
	modelled := wire.ModelledErrors()
	s := &Server{cfg: cfg, metrics: metrics.New(), modelled: modelled, faults: faults.New(modelled)}
	var err error
	if s.log, err = newLogger(cfg, stdout); err != nil {
		return nil, err
	}
	if cfg.RateLimit != "" {
		limit, err := throttle.ParseLimit(cfg.RateLimit)
		if err != nil {
			return nil, fmt.Errorf("rate-limit: %w", err)
		}
		s.limiter = throttle.New(limit)
	}
	creds, err := credentials(cfg, stdout)
	if err != nil {
		return nil, err
	}
	b, err := bind(cfg)
	if err != nil {
		return nil, err
	}
	// Served from now on, while the store opens and migrates (35 s per
	// million users, once): /healthz answers, so that a liveness probe does
	// not restart a migration it takes for a hang, and the rest answers 503.
	s.serve(b)
	if s.store, err = openStore(ctx, cfg); err != nil {
		s.abandon(b)
		return nil, err
	}
	s.warnOfCollation(ctx)
	if err := s.openTrunk(); err != nil {
		s.abandon(b)
		s.store.Close()
		return nil, err
	}
	if err := s.listen(creds, b); err != nil {
		s.abandon(b)
		s.closeTrunk()
		s.store.Close()
		return nil, err
	}
	jobCtx, stop := context.WithCancel(context.Background())
	s.stopJob = stop
	s.jobDone.Add(1)
	go func() {
		defer s.jobDone.Done()
		s.jobs.Every(jobCtx, cfg.JobInterval)
	}()
	fmt.Fprintf(stdout, "chimed listening on %s (store %s)\n", s.URL, storeName(cfg.DB))
	return s, nil
}

// bound holds what Start takes before it opens the store: the listeners
// and the files named in the configuration. A port in use or a certificate
// that does not load then stops chimed before a database is created or
// migrated.
type bound struct {
	api, metrics, pprof net.Listener // metrics and pprof nil unless configured
	certs               []tls.Certificate
	auditFile           *auditFile // nil without --audit-log
}

func bind(cfg Config) (_ *bound, err error) {
	b := &bound{}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("tls-cert and tls-key: %w", err)
		}
		b.certs = append(b.certs, cert)
	}
	if cfg.AuditLog != "" {
		if b.auditFile, err = openAuditFile(cfg.AuditLog); err != nil {
			return nil, fmt.Errorf("audit-log: %w", err)
		}
	}
	if b.api, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("addr: %w", err)
	}
	if cfg.MetricsAddr != "" {
		if b.metrics, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return nil, fmt.Errorf("metrics-addr: %w", err)
		}
	}
	if cfg.PprofAddr != "" {
		if b.pprof, err = net.Listen("tcp", cfg.PprofAddr); err != nil {
			return nil, fmt.Errorf("pprof-addr: %w", err)
		}
	}
	return b, nil
}

// close releases what bind took, for a start-up that fails after it.
func (b *bound) close() {
	for _, ln := range []net.Listener{b.api, b.metrics, b.pprof} {
		if ln != nil {
			ln.Close()
		}
	}
	if b.auditFile != nil {
		b.auditFile.Close()
	}
}

// serve starts serving the API's listener, answering as starting until
// listen puts the API in place, and the metrics and profiles on their own
// addresses.
func (s *Server) serve(b *bound) {
	ln := b.api
	var connState func(net.Conn, http.ConnState)
	if s.cfg.MaxConnections > 0 {
		limit := newConnLimit(ln, s.cfg.MaxConnections)
		ln, connState = limit, limit.track
	}
	scheme := "http"
	if s.cfg.TLSCert != "" {
		scheme = "https"
	}
	s.URL = scheme + "://" + ln.Addr().String()
	startup := withRequestID(http.HandlerFunc(starting))
	s.handler.Store(&startup)
	s.http = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*s.handler.Load()).ServeHTTP(w, r) }),
		ReadHeaderTimeout: 10 * time.Second,
		// A client that stops sending a body, or keeps a connection open
		// and idle, would otherwise hold it for good. Bodies are at most
		// 1 MiB; the SDKs reopen a connection the server closed while idle.
		ReadTimeout: 30 * time.Second,
		// A client that stops reading its answer would hold the
		// connection as busy (never evicted as idle under
		// --max-connections). The longest handler waits 60 s (injected
		// latency, of however many fault rules) plus the work itself.
		WriteTimeout: 2 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ConnState:    connState,
		ErrorLog:     slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		TLSConfig:    &tls.Config{Certificates: b.certs},
	}
	go func() {
		if s.cfg.TLSCert != "" {
			s.http.ServeTLS(ln, "", "")
		} else {
			s.http.Serve(ln)
		}
	}()
	if b.metrics != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", s.metrics.Handler())
		s.metricsHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go s.metricsHTTP.Serve(b.metrics)
	}
	if b.pprof != nil {
		s.servePprof(b.pprof)
	}
}

// abandon stops a start-up that failed after serve.
func (s *Server) abandon(b *bound) {
	for _, srv := range []*http.Server{s.http, s.metricsHTTP, s.pprofHTTP} {
		if srv != nil {
			srv.Close()
		}
	}
	b.close()
}

// starting answers while the store opens: the process is alive, not ready.
func starting(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		health(w, r)
	case "/readyz":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("starting: opening and migrating the database\n"))
	default:
		wire.WriteError(w, r, chime.Unavailable("chimed is starting: its database is being opened and migrated; try again"))
	}
}

// listen assembles the service and puts it in place of starting.
func (s *Server) listen(creds []auth.Credential, b *bound) error {
	cfg := s.cfg
	base := cfg.Now
	if base == nil {
		base = time.Now
	}
	s.clock = &clock{base: base}
	s.Service = chime.NewService(timedStore{s.store, s.metrics}, s.clock.Now)
	tokenKey, err := s.store.Secret(context.Background(), "pagination-token-key")
	if err != nil {
		return fmt.Errorf("pagination token key: %w", err)
	}
	s.Service.ConfigureTokens(tokenKey)
	s.Service.ConfigureTelephony(s.telephony())
	s.Service.ConfigureQuotas(s.quotas())
	s.jobs = jobs.NewRunner(s.log, timedJobs(s.metrics, s.tasks())...)
	var stream io.Writer
	if b.auditFile != nil {
		s.auditFile, stream = b.auditFile, b.auditFile
	}
	integrations, err := s.integrations()
	if err != nil {
		return err
	}
	s.Service.ConfigureIntegrations(integrations)
	s.audit = audit.NewRecorder(s.store, stream, s.log)
	// Said at every start: the first start of a version with retention
	// deletes what older versions kept for ever.
	if cfg.AuditRetention > 0 {
		s.log.Info("audit events older than the retention are deleted", "audit_retention", cfg.AuditRetention.String())
	} else {
		s.log.Info("audit events are kept for ever", "audit_retention", "0")
	}
	s.verifier = auth.NewVerifier(creds, time.Now)
	api := s.routes(authenticator{s.verifier})
	s.handler.Store(&api)
	return nil
}

// interceptors run before every operation: the per-key rate limit, and the
// test API's fault rules.
func (s *Server) interceptors() []wire.Interceptor {
	var out []wire.Interceptor
	if s.limiter != nil {
		out = append(out, s.throttle)
	}
	if s.cfg.EnableTestAPI {
		out = append(out, s.faults.Intercept)
	}
	return out
}

func (s *Server) throttle(r *http.Request, operation string, caller chime.Caller) error {
	if strings.HasPrefix(r.URL.Path, testAPIPrefix) {
		// The test API steers a suite; it is not traffic under test, and
		// a test that spent its key's rate must not fail the next one's
		// reset.
		return nil
	}
	ok, wait := s.limiter.Allow(caller.AccessKeyID, time.Now())
	if ok {
		return nil
	}
	s.metrics.Throttled(operation)
	code := model.ErrorCodeThrottled
	if errs, api := s.modelled[operation]; api && !slices.Contains(errs, "ThrottledClientException") {
		// Get, Put and DeleteEventsConfiguration list no
		// ThrottledClientException, so an SDK need not type it. They list
		// ServiceUnavailableException, which every SDK retries.
		code = model.ErrorCodeServiceUnavailable
	}
	return &chime.Error{Code: code, Message: "Rate exceeded for access key " + caller.AccessKeyID, RetryAfter: wait}
}

// tasks are the background lifecycles.
func (s *Server) tasks() []jobs.Task {
	svc := s.Service
	tasks := []jobs.Task{
		{Name: "purge-deleted-accounts", Run: svc.PurgeDeletedAccounts},
		// Retention looks at every account that has it, due or not (two
		// statements each: 0.1 s a second at 311 accounts on PostgreSQL);
		// periods are whole days, so a minute late is on time.
		{Name: "enforce-retention", Run: svc.EnforceRetention, MinInterval: time.Minute},
		{Name: "fulfil-phone-number-orders", Run: svc.FulfilPhoneNumberOrders},
		{Name: "complete-calling-names", Run: svc.CompleteCallingNames},
		{Name: "purge-deleted-phone-numbers", Run: svc.PurgeDeletedPhoneNumbers},
		// Renewing is not due work: it counts none. Expiring never takes
		// this instance's own calls for lost, whichever runs first.
		{Name: "renew-dial-out-leases", Run: func(ctx context.Context) (int, error) { return 0, svc.RenewDialOutLeases(ctx) }},
		{Name: "expire-lost-dial-outs", Run: svc.ExpireLostDialOuts},
		{Name: "deliver-bot-events", Run: svc.DeliverBotEvents},
		{Name: "prune-bot-records", Run: svc.PruneBotRecords},
		{Name: "finish-scrub", Run: svc.FinishScrub},
	}
	if s.cfg.AuditRetention > 0 {
		tasks = append(tasks, jobs.Task{Name: "prune-audit-events", Run: s.pruneAudit})
	}
	return tasks
}

// pruneAudit deletes a batch of the audit events older than the retention.
// Their times are the wall clock's, as the events were recorded, not the
// test API's clock.
func (s *Server) pruneAudit(ctx context.Context) (int, error) {
	return s.store.PruneAuditEvents(ctx, time.Now().Add(-s.cfg.AuditRetention), auditPruneBatch)
}

// auditPruneBatch bounds the events one transaction deletes: a backlog
// (a first start with retention on a large trail) goes in many short ones.
const auditPruneBatch = 5000

// RunJobs runs the background tasks now, until nothing that was due when
// it was called is left (however many batches that takes), after a run of
// the ticker's under way. Tests and the test API's clock call it after
// moving the clock. Its error says which tasks failed, leaving their work
// due.
func (s *Server) RunJobs(ctx context.Context) error {
	return s.jobs.UntilIdle(chime.WithDueBy(ctx, s.clock.Now()))
}

// Close stops accepting requests, lets in-flight ones finish (for up to 10 s),
// stops the background jobs, writes the queued audit events and closes the
// store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Shutdown leaves the connections it waited for open.
		s.http.Close()
		err = errors.New("shutdown: requests still running after 10 s were cut off")
	}
	if s.metricsHTTP != nil {
		err = errors.Join(err, s.metricsHTTP.Shutdown(ctx))
	}
	if s.pprofHTTP != nil {
		// Closed, not drained: a CPU profile being taken would hold the
		// shutdown for its whole duration.
		err = errors.Join(err, s.pprofHTTP.Close())
	}
	s.stopJob()
	s.jobDone.Wait()
	// Hanging up the calls records their end, so the store is still open.
	err = errors.Join(err, s.closeTrunk())
	s.audit.Close()
	if s.auditFile != nil {
		err = errors.Join(err, s.auditFile.Close())
	}
	return errors.Join(err, s.store.Close())
}

// openStore opens PostgreSQL for a postgres:// or postgresql:// URL, and
// otherwise the SQLite file at that path.
func openStore(ctx context.Context, cfg Config) (*sqlstore.DB, error) {
	if isPostgres(cfg.DB) {
		return postgres.Open(ctx, cfg.DB)
	}
	access := sqlite.Exclusive
	if cfg.SQLiteShared {
		access = sqlite.Shared
	}
	return sqlite.Open(ctx, cfg.DB, access)
}

// warnOfCollation logs a warning when the store orders text otherwise than
// byte by byte: the README asks for the C collation on PostgreSQL, and an
// operator who missed it would see only listings in an unexpected order.
func (s *Server) warnOfCollation(ctx context.Context) {
	byBytes, err := s.store.OrdersTextByBytes(ctx)
	switch {
	case ctx.Err() != nil:
		// Start is being stopped: nothing was checked.
	case err != nil:
		s.log.Warn("could not check the database's collation", "error", err.Error())
	case !byBytes:
		s.log.Warn("the database's collation does not order text byte by byte (the C collation): listings page in " +
			"its order, which differs from SQLite's; see the README's Collation note")
	}
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// storeName says which store is in use without showing a password.
func storeName(dsn string) string {
	if isPostgres(dsn) {
		return postgres.Redact(dsn)
	}
	return dsn
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

// authenticator is the API's wire.Authenticator: SigV4 with the server's
// keys.
type authenticator struct{ v *auth.Verifier }

func (a authenticator) Screen(r *http.Request) error { return a.v.Screen(r) }

func (a authenticator) Verify(r *http.Request, body []byte) (chime.Caller, error) {
	cred, err := a.v.Verify(r, body)
	if err != nil {
		return chime.Caller{}, err
	}
	return chime.Caller{AwsAccountID: cred.AwsAccountID, PrincipalARN: cred.PrincipalARN, AccessKeyID: cred.AccessKeyID}, nil
}
