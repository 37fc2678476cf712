package server

import (
	"cmp"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/throttle"
)

// Config is everything the server can be told at start-up.
type Config struct {
	Addr string
	DB   string
	// SQLiteShared lets other processes open the SQLite file while chimed
	// runs (by default chimed keeps it to itself).
	SQLiteShared bool
	Credentials  string
	// JobInterval is how often background lifecycles look for due work.
	JobInterval time.Duration
	// LogFormat is json or text; LogLevel debug, info, warn or error.
	// LogOutput is where logs go (stdout when nil).
	LogFormat string
	LogLevel  string
	LogOutput io.Writer
	// MetricsAddr, when set, serves /metrics on its own address instead of
	// beside the API.
	MetricsAddr string
	// MaxConnections caps the API's open connections (0 = no cap).
	MaxConnections int
	// RateLimit is a per-access-key rate such as "5/s" ("" = unlimited).
	RateLimit string
	// AuditLog, when set, also streams the audit trail to this file as JSON
	// lines.
	AuditLog string
	// AuditRetention is how long the database keeps audit events (0: for
	// ever, which is what a Config built in code gets; the flag's default
	// is 90 days, as CloudTrail's event history).
	AuditRetention time.Duration
	// EnableTestAPI serves the /_chimed/test/ controls.
	EnableTestAPI bool
	// TLSCert and TLSKey, when set, make the server speak HTTPS.
	TLSCert string
	TLSKey  string
	// PprofAddr, when set, serves Go's profiling endpoints on this address.
	PprofAddr string
	// OrderDelay, CallingNameDelay and DeletionRetention time the phone
	// number lifecycles (zero: the flag's default). SIPTrunk is where
	// CreateMeetingDialOut calls go, e.g. sip:pbx.example.net:5060.
	OrderDelay        time.Duration
	CallingNameDelay  time.Duration
	DeletionRetention time.Duration
	SIPTrunk          string
	// Quotas limit chat rooms; a zero field takes Chime's default
	// (chime.DefaultQuotas).
	Quotas chime.Quotas
	// PublicURL is this server's URL as bots and invitees reach it ("" =
	// the URL it listens on): the base of bots' InboundHttpsEndpoint URLs
	// and of invitation links.
	PublicURL string
	// AllowPrivateEndpoints lets bots' events go to http:// URLs and to
	// loopback, link-local and private addresses.
	AllowPrivateEndpoints bool
	// OutboundRootCAs, when set, replaces the system's roots for TLS to
	// bots' endpoints and the SMTP relay (tests trust their own servers).
	OutboundRootCAs *x509.CertPool
	// LambdaEndpoint, LambdaAccessKeyID and LambdaSecretAccessKey are where
	// and as whom bots' Lambda functions are invoked ("" endpoint = AWS).
	LambdaEndpoint        string
	LambdaAccessKeyID     string
	LambdaSecretAccessKey string
	// SMTPAddr is the relay InviteUsers emails through ("" = none: no
	// email is sent). SMTPStartTLS is required or opportunistic.
	SMTPAddr     string
	SMTPUsername string
	SMTPPassword string
	SMTPStartTLS string
	SMTPFrom     string
	// Now is the clock of the domain and its lifecycles (time.Now when nil).
	// Tests move it forward; request signatures are always checked against
	// the real time.
	Now func() time.Time
}

// settings resolves each setting from, in order of precedence: the command
// line, the environment (CHIMED_<NAME>), the config file, the default.
type settings struct {
	fs       *flag.FlagSet
	getenv   func(string) string
	file     map[string]string
	filePath string
	errs     []error
	// unparsed holds, by flag name, the error of an environment or file
	// value that is not of its setting's type. It counts only if the
	// command line does not set that flag, which overrides the value.
	unparsed map[string]error
}

// lookup returns the value a setting starts from before the command line:
// the environment's, else the config file's, else def.
func (s *settings) lookup(name, env, def string) string {
	if v := s.getenv(env); v != "" {
		return v
	}
	if v, ok := s.file[name]; ok {
		return v
	}
	return def
}

// origin says where lookup found a setting's value, for its error message.
func (s *settings) origin(name, env string) string {
	if s.getenv(env) != "" {
		return "environment variable " + env
	}
	if _, ok := s.file[name]; ok {
		return "config file " + s.filePath
	}
	return "default"
}

// Each setter declares its flag with the built-in default, which is what
// --help prints, and then starts the setting from the environment or the
// file: help must not print a password or a secret key set there.

func (s *settings) str(p *string, name, env, def, usage string) {
	s.fs.StringVar(p, name, def, usage+" (env "+env+")")
	*p = s.lookup(name, env, def)
}

func (s *settings) duration(p *time.Duration, name, env, def, usage string) {
	d, _ := time.ParseDuration(def)
	s.fs.DurationVar(p, name, d, usage+" (env "+env+")")
	v := s.lookup(name, env, def)
	if d, err := time.ParseDuration(v); err == nil {
		*p = d
	} else {
		s.unparsed[name] = fmt.Errorf("%s (from %s): %q is not a duration such as 1s, 5m or 168h", name, s.origin(name, env), v)
	}
}

func (s *settings) integer(p *int, name, env string, def int, usage string) {
	s.fs.IntVar(p, name, def, usage+" (env "+env+")")
	v := s.lookup(name, env, strconv.Itoa(def))
	if n, err := strconv.Atoi(v); err == nil {
		*p = n
	} else {
		s.unparsed[name] = fmt.Errorf("%s (from %s): %q is not a whole number", name, s.origin(name, env), v)
	}
}

func (s *settings) boolean(p *bool, name, env string, usage string) {
	s.fs.BoolVar(p, name, false, usage+" (env "+env+")")
	v := s.lookup(name, env, "false")
	if b, err := strconv.ParseBool(v); err == nil {
		*p = b
	} else {
		s.unparsed[name] = fmt.Errorf("%s (from %s): %q is not true or false", name, s.origin(name, env), v)
	}
}

// parseConfig reads the command line, the environment and the config file.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("chimed", flag.ContinueOnError)
	// A bad flag is reported as an error like any other bad setting, not
	// followed by the whole usage text; -help prints that.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	path := configPath(args, getenv)
	file, err := loadConfigFile(path)
	if err != nil {
		return cfg, err
	}
	s := &settings{fs: fs, getenv: getenv, file: file, filePath: path, unparsed: map[string]error{}}
	var ignored string
	s.str(&ignored, "config", "CHIMED_CONFIG", "", "YAML file of settings, keyed by flag name")
	s.str(&cfg.Addr, "addr", "CHIMED_ADDR", "127.0.0.1:8080", "listen address")
	s.str(&cfg.DB, "db", "CHIMED_DB", "chimed.db", "SQLite database file, or a PostgreSQL URL postgres://user@host:port/db?sslmode=...")
	s.boolean(&cfg.SQLiteShared, "sqlite-shared", "CHIMED_SQLITE_SHARED", "let other processes (the sqlite3 shell, backup or replication tools) open the SQLite file while chimed runs; every read then costs more")
	s.str(&cfg.Credentials, "credentials", "CHIMED_CREDENTIALS", "", "JSON file of accepted access keys; without it a development key is used")
	s.duration(&cfg.JobInterval, "job-interval", "CHIMED_JOB_INTERVAL", "1s", "how often background jobs look for due work")
	s.str(&cfg.LogFormat, "log-format", "CHIMED_LOG_FORMAT", "json", "log format: json or text")
	s.str(&cfg.LogLevel, "log-level", "CHIMED_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	s.str(&cfg.MetricsAddr, "metrics-addr", "CHIMED_METRICS_ADDR", "", "serve /metrics on this address instead of beside the API")
	s.integer(&cfg.MaxConnections, "max-connections", "CHIMED_MAX_CONNECTIONS", 0, "most client connections served at once; at the cap new ones wait and idle ones are closed (0: no cap)")
	s.str(&cfg.RateLimit, "rate-limit", "CHIMED_RATE_LIMIT", "", "per-access-key rate limit such as 5/s, 300/m (empty: unlimited)")
	s.str(&cfg.AuditLog, "audit-log", "CHIMED_AUDIT_LOG", "", "also append the audit trail to this file as JSON lines (SIGHUP opens it again by name, for rotation)")
	s.duration(&cfg.AuditRetention, "audit-retention", "CHIMED_AUDIT_RETENTION", "2160h", "how long the database keeps audit events, as CloudTrail's 90-day event history (0: for ever; the --audit-log file is not trimmed: rotate it, then SIGHUP)")
	s.boolean(&cfg.EnableTestAPI, "enable-test-api", "CHIMED_ENABLE_TEST_API", "serve the /_chimed/test/ controls (reset, snapshots, clock, faults)")
	s.str(&cfg.TLSCert, "tls-cert", "CHIMED_TLS_CERT", "", "TLS certificate file (PEM); with --tls-key, serve HTTPS")
	s.str(&cfg.TLSKey, "tls-key", "CHIMED_TLS_KEY", "", "TLS private key file (PEM)")
	s.str(&cfg.PprofAddr, "pprof-addr", "CHIMED_PPROF_ADDR", "", "serve Go's profiling endpoints (/debug/pprof/) on this address (empty: off)")
	s.duration(&cfg.OrderDelay, "order-delay", "CHIMED_ORDER_DELAY", defaultOrderDelay.String(), "how long a phone number order stays Processing")
	s.duration(&cfg.CallingNameDelay, "calling-name-delay", "CHIMED_CALLING_NAME_DELAY", defaultCallingNameDelay.String(), "how long a calling-name change stays UpdateInProgress (up to 72h in Chime)")
	s.duration(&cfg.DeletionRetention, "deletion-queue-retention", "CHIMED_DELETION_QUEUE_RETENTION", defaultDeletionRetention.String(), "how long a deleted phone number can be restored before it is released")
	s.str(&cfg.SIPTrunk, "sip-trunk", "CHIMED_SIP_TRUNK", "", "SIP trunk for CreateMeetingDialOut, e.g. sip:pbx.example.net:5060 or sip:host:port;transport=tcp (empty: dial-out is not configured)")
	s.integer(&cfg.Quotas.RoomsPerAccount, "max-rooms-per-account", "CHIMED_MAX_ROOMS_PER_ACCOUNT", chime.DefaultQuotas.RoomsPerAccount, "chat rooms an account may have (Chime's quota)")
	s.integer(&cfg.Quotas.MembersPerRoom, "max-room-members", "CHIMED_MAX_ROOM_MEMBERS", chime.DefaultQuotas.MembersPerRoom, "members a chat room may have (Chime's quota)")
	s.integer(&cfg.Quotas.RoomsPerMember, "max-rooms-per-member", "CHIMED_MAX_ROOMS_PER_MEMBER", chime.DefaultQuotas.RoomsPerMember, "chat rooms a user or bot may be a member of (Chime's quota)")
	s.str(&cfg.PublicURL, "public-url", "CHIMED_PUBLIC_URL", "", "this server's URL as bots, invitees and webhook senders reach it, for bot reply URLs, invitation links and webhook URLs (empty: the listening URL)")
	s.boolean(&cfg.AllowPrivateEndpoints, "allow-private-endpoints", "CHIMED_ALLOW_PRIVATE_ENDPOINTS", "let bot events go to http:// URLs and loopback, link-local and private addresses")
	s.str(&cfg.LambdaEndpoint, "lambda-endpoint", "CHIMED_LAMBDA_ENDPOINT", "", "endpoint of the Lambda Invoke API for bots' Lambda functions (empty: AWS Lambda in the function's region)")
	s.str(&cfg.LambdaAccessKeyID, "lambda-access-key-id", "CHIMED_LAMBDA_ACCESS_KEY_ID", "", "access key ID that signs Lambda invocations")
	s.str(&cfg.LambdaSecretAccessKey, "lambda-secret-access-key", "CHIMED_LAMBDA_SECRET_ACCESS_KEY", "", "secret access key that signs Lambda invocations")
	s.str(&cfg.SMTPAddr, "smtp-addr", "CHIMED_SMTP_ADDR", "", "SMTP relay host:port that InviteUsers emails through (empty: invitations are not emailed)")
	s.str(&cfg.SMTPUsername, "smtp-username", "CHIMED_SMTP_USERNAME", "", "SMTP AUTH PLAIN user name (empty: no authentication)")
	s.str(&cfg.SMTPPassword, "smtp-password", "CHIMED_SMTP_PASSWORD", "", "SMTP AUTH PLAIN password")
	s.str(&cfg.SMTPStartTLS, "smtp-starttls", "CHIMED_SMTP_STARTTLS", "opportunistic", "STARTTLS with the relay: required or opportunistic")
	s.str(&cfg.SMTPFrom, "smtp-from", "CHIMED_SMTP_FROM", "chimed@localhost", "sender address of invitation emails")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, "Usage: chimed [flags]\n       chimed version\n\nFlags (each also settable by its environment variable or in the --config file):\n")
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		return cfg, err
	} else if err != nil {
		return cfg, fmt.Errorf("%w (chimed -help lists the flags)", err)
	}
	fs.Visit(func(f *flag.Flag) { delete(s.unparsed, f.Name) })
	for _, name := range slices.Sorted(maps.Keys(s.unparsed)) {
		s.errs = append(s.errs, s.unparsed[name])
	}
	if fs.NArg() > 0 {
		s.errs = append(s.errs, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	for _, key := range slices.Sorted(maps.Keys(file)) {
		if fs.Lookup(key) == nil || key == "config" {
			s.errs = append(s.errs, fmt.Errorf("config file %s: unknown key %q", path, key))
		}
	}
	// The jobs renew live dial-outs' leases (a minute; a bot delivery run
	// can take 20 s), so a longer interval lets other instances take this
	// one's calls for lost; a shorter one than 10ms only spins.
	if cfg.JobInterval < 10*time.Millisecond || cfg.JobInterval > 20*time.Second {
		s.errs = append(s.errs, fmt.Errorf("job-interval: %s is not between 10ms and 20s", cfg.JobInterval))
	}
	if cfg.AuditRetention < 0 {
		s.errs = append(s.errs, fmt.Errorf("audit-retention: %s is negative (0 keeps the events for ever)", cfg.AuditRetention))
	}
	// Zero stands for "the default" in a Config built in code, so a zero
	// given here would quietly become a week's retention: refused instead.
	for _, d := range []struct {
		name  string
		value time.Duration
	}{{"order-delay", cfg.OrderDelay}, {"calling-name-delay", cfg.CallingNameDelay}, {"deletion-queue-retention", cfg.DeletionRetention}} {
		if d.value <= 0 {
			s.errs = append(s.errs, fmt.Errorf("%s: %s is not positive (for almost at once, give 1ms)", d.name, d.value))
		}
	}
	// Settings of a form the flag's type does not check, each named with
	// where its value came from, as the typed ones are.
	for _, c := range []struct {
		name, env, value string
		check            func(string) error
	}{
		{"log-level", "CHIMED_LOG_LEVEL", cfg.LogLevel, func(v string) error { _, err := parseLogLevel(v); return err }},
		{"log-format", "CHIMED_LOG_FORMAT", cfg.LogFormat, checkLogFormat},
		{"rate-limit", "CHIMED_RATE_LIMIT", cfg.RateLimit, func(v string) error {
			if v == "" {
				return nil
			}
			_, err := throttle.ParseLimit(v)
			return err
		}},
	} {
		if err := c.check(c.value); err != nil {
			s.errs = append(s.errs, fmt.Errorf("%s (from %s): %w", c.name, s.source(c.name, c.env), err))
		}
	}
	// An empty value is no address and no file: most likely a template's
	// unset variable, which must not mean every interface, a file named
	// "", or the development key.
	if cfg.Addr == "" {
		s.errs = append(s.errs, errors.New("addr: empty; give host:port, such as 127.0.0.1:8080 (or :8080 for every interface)"))
	}
	if err := checkDB(cfg.DB); err != nil {
		s.errs = append(s.errs, err)
	}
	if cfg.Credentials == "" && s.givenEmpty("credentials") {
		s.errs = append(s.errs, errors.New("credentials: empty; leave the setting out to accept the development key"))
	}
	if cfg.MaxConnections < 0 {
		s.errs = append(s.errs, errors.New("max-connections: must not be negative (0: no cap)"))
	}
	if cfg.Quotas.RoomsPerAccount < 1 || cfg.Quotas.MembersPerRoom < 1 || cfg.Quotas.RoomsPerMember < 1 {
		s.errs = append(s.errs, errors.New("max-rooms-per-account, max-room-members and max-rooms-per-member: must be at least 1"))
	}
	if cfg.SMTPStartTLS != "required" && cfg.SMTPStartTLS != "opportunistic" {
		s.errs = append(s.errs, fmt.Errorf("smtp-starttls: %q is neither required nor opportunistic", cfg.SMTPStartTLS))
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		s.errs = append(s.errs, errors.New("tls-cert and tls-key: give both or neither"))
	}
	if (cfg.LambdaAccessKeyID == "") != (cfg.LambdaSecretAccessKey == "") {
		s.errs = append(s.errs, errors.New("lambda-access-key-id and lambda-secret-access-key: give both or neither"))
	}
	for _, setting := range []struct{ name, value string }{{"public-url", cfg.PublicURL}, {"lambda-endpoint", cfg.LambdaEndpoint}} {
		u, err := url.Parse(setting.value)
		// Paths are appended to these: a query or fragment would end up in
		// the middle of every link.
		if setting.value != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			strings.ContainsAny(setting.value, "?#")) {
			s.errs = append(s.errs, fmt.Errorf("%s: %q is not an http:// or https:// URL with a host and no query or fragment", setting.name, setting.value))
		}
	}
	// Checked here too, not only by the mailer: that is made after the
	// database is opened, and perhaps created or migrated.
	if _, _, err := net.SplitHostPort(cfg.SMTPAddr); cfg.SMTPAddr != "" && err != nil {
		s.errs = append(s.errs, fmt.Errorf("smtp-addr: %q is not host:port", cfg.SMTPAddr))
	}
	if _, err := mail.ParseAddress(cfg.SMTPFrom); err != nil {
		s.errs = append(s.errs, fmt.Errorf("smtp-from: %q is not an email address: %v", cfg.SMTPFrom, err))
	}
	return cfg, errors.Join(s.errs...)
}

// source says where a setting's value came from, the command line included.
func (s *settings) source(name, env string) string {
	if s.onCommandLine(name) {
		return "the command line"
	}
	return s.origin(name, env)
}

func (s *settings) onCommandLine(name string) bool {
	given := false
	s.fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// givenEmpty says whether the command line or the config file sets name
// to the empty string (an empty environment variable counts as unset).
func (s *settings) givenEmpty(name string) bool {
	v, inFile := s.file[name]
	return s.onCommandLine(name) || inFile && v == ""
}

// checkDB refuses a --db that is neither a file path nor a PostgreSQL URL
// chimed can open. A mistyped scheme (postgress://, POSTGRES://) would
// otherwise be taken for a file name, and the refusal would show the URL's
// password.
func checkDB(db string) error {
	scheme, _, isURL := strings.Cut(db, "://")
	// "/data/a://b" is a path: a URL's scheme is a letter, then letters,
	// digits, '+', '-' or '.'.
	isURL = isURL && urlScheme.MatchString(scheme)
	switch {
	case db == "":
		return errors.New("db: empty; give a SQLite file path or a postgres:// URL")
	case isPostgres(db), !isURL:
		return nil
	case strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"):
		return fmt.Errorf("db: write the scheme %q in lower case", scheme)
	}
	return fmt.Errorf("db: %q is not a URL chimed opens; give a SQLite file path or a postgres:// URL", scheme+"://...")
}

var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

// configPath finds --config on the command line (its last one, as for any
// flag) or CHIMED_CONFIG, before the flags are parsed, since the file
// supplies the other flags' defaults.
func configPath(args []string, getenv func(string) string) string {
	path, given := "", false
	for i, a := range args {
		for _, name := range []string{"-config", "--config"} {
			if a == name && i+1 < len(args) {
				path, given = args[i+1], true
			}
			if value, ok := strings.CutPrefix(a, name+"="); ok {
				path, given = value, true
			}
		}
	}
	if given {
		return path
	}
	return getenv("CHIMED_CONFIG")
}

// loadConfigFile reads a YAML mapping of flag names to scalar values.
func loadConfigFile(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	// Nodes, not Go values: a value is used as written, so that a password
	// 0123 is not read as the octal number 83, nor a date turned into Go's
	// time format.
	var raw map[string]yaml.Node
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return nil, fmt.Errorf("config file %s: key %q must have a single value", path, k)
		}
		out[k] = v.Value
	}
	return out, nil
}

// quotas is the configuration's Quotas with Chime's default in each zero
// field (a Config built in code, not parsed, leaves them zero).
func (s *Server) quotas() chime.Quotas {
	q, def := s.cfg.Quotas, chime.DefaultQuotas
	return chime.Quotas{
		RoomsPerAccount: cmp.Or(q.RoomsPerAccount, def.RoomsPerAccount),
		MembersPerRoom:  cmp.Or(q.MembersPerRoom, def.MembersPerRoom),
		RoomsPerMember:  cmp.Or(q.RoomsPerMember, def.RoomsPerMember),
	}
}
