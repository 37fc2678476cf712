package server

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/chime"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chimed.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigPrecedenceFlagOverEnvOverFileOverDefault(t *testing.T) {
	file := writeFile(t, "addr: 127.0.0.1:7000\ndb: from-file.db\njob-interval: 5s\nenable-test-api: true\nrate-limit: 10/s\n")
	cfg, err := parseConfig([]string{"--config", file, "--db", "from-flag.db"},
		env(map[string]string{"CHIMED_ADDR": "127.0.0.1:7001"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7001" || cfg.DB != "from-flag.db" || cfg.JobInterval != 5*time.Second ||
		!cfg.EnableTestAPI || cfg.RateLimit != "10/s" || cfg.LogFormat != "json" || cfg.AuditRetention != 90*24*time.Hour {
		t.Fatalf("got %+v", cfg)
	}
}

// A command-line flag overrides an environment or file value that is not of
// its type, so that value does not stop the server.
func TestFlagOverridesAMalformedValue(t *testing.T) {
	file := writeFile(t, "max-connections: many\n")
	cfg, err := parseConfig([]string{"--config", file, "--job-interval", "2s", "--enable-test-api=false", "--max-connections", "4"},
		env(map[string]string{"CHIMED_JOB_INTERVAL": "soon", "CHIMED_ENABLE_TEST_API": "maybe"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.JobInterval != 2*time.Second || cfg.EnableTestAPI || cfg.MaxConnections != 4 {
		t.Fatalf("got %+v", cfg)
	}
}

// A value is taken as written in the file: YAML would read 0123 as the octal
// number 83 and 2001-12-14 as a date.
func TestConfigFileValuesAreTakenAsWritten(t *testing.T) {
	file := writeFile(t, "smtp-password: 0123\nlambda-access-key-id: 0x1F\nlambda-secret-access-key: 1e3\naudit-log: 2001-12-14\n")
	cfg, err := parseConfig([]string{"--config", file}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPPassword != "0123" || cfg.LambdaAccessKeyID != "0x1F" || cfg.LambdaSecretAccessKey != "1e3" || cfg.AuditLog != "2001-12-14" {
		t.Fatalf("got %q %q %q %q", cfg.SMTPPassword, cfg.LambdaAccessKeyID, cfg.LambdaSecretAccessKey, cfg.AuditLog)
	}
	if _, err := parseConfig([]string{"--config", writeFile(t, "max-connections: 1.0\n")}, env(nil), &bytes.Buffer{}); err == nil {
		t.Fatal("max-connections 1.0 accepted as a whole number")
	}
}

// --help prints the built-in defaults, never a secret set in the
// environment or the file.
func TestHelpPrintsNoSecrets(t *testing.T) {
	file := writeFile(t, "db: postgres://chimed:filepw@db.example/chimed\n")
	var stderr bytes.Buffer
	err := Run(context.Background(), []string{"--config", file, "--help"},
		env(map[string]string{"CHIMED_SMTP_PASSWORD": "hunter2", "CHIMED_LAMBDA_SECRET_ACCESS_KEY": "wJalrSECRET"}), &bytes.Buffer{}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "wJalrSECRET", "filepw"} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("--help prints %s", secret)
		}
	}
	if !strings.Contains(stderr.String(), `(default "chimed.db")`) {
		t.Error("--help does not print the built-in default of --db")
	}
}

func TestRoomQuotasDefaultToChimesAndCanBeRaised(t *testing.T) {
	cfg, err := parseConfig(nil, env(nil), &bytes.Buffer{})
	if err != nil || cfg.Quotas != chime.DefaultQuotas {
		t.Fatalf("quotas %+v, %v; want Chime's %+v", cfg.Quotas, err, chime.DefaultQuotas)
	}
	// Chime's published quotas (AWS General Reference), not whatever
	// DefaultQuotas happens to say.
	if published := (chime.Quotas{RoomsPerAccount: 1500, MembersPerRoom: 1000, RoomsPerMember: 1000}); chime.DefaultQuotas != published {
		t.Fatalf("DefaultQuotas %+v, want Chime's published %+v", chime.DefaultQuotas, published)
	}
	cfg, err = parseConfig([]string{"--max-room-members", "5000"}, env(map[string]string{"CHIMED_MAX_ROOMS_PER_MEMBER": "2000"}), &bytes.Buffer{})
	want := chime.Quotas{RoomsPerAccount: 1500, MembersPerRoom: 5000, RoomsPerMember: 2000}
	if err != nil || cfg.Quotas != want {
		t.Fatalf("quotas %+v, %v; want %+v", cfg.Quotas, err, want)
	}
}

// Paths that hold "://" are paths, not URLs of an unknown scheme.
func TestDBPathsWithSchemeLikeParts(t *testing.T) {
	for _, db := range []string{"/data/weird://name.db", "relative/a://b", "file:chimed.db", "postgres:chimed"} {
		if err := checkDB(db); err != nil {
			t.Errorf("--db %q: %v", db, err)
		}
	}
}

// --config given twice takes the last, as every other flag does.
func TestLastConfigFlagWins(t *testing.T) {
	first, last := writeFile(t, "log-level: warn\n"), writeFile(t, "log-level: debug\n")
	for _, args := range [][]string{{"--config", first, "--config", last}, {"-config=" + first, "--config=" + last}} {
		cfg, err := parseConfig(args, env(nil), &bytes.Buffer{})
		if err != nil || cfg.LogLevel != "debug" {
			t.Fatalf("%v: log level %q, %v; want the last file's debug", args, cfg.LogLevel, err)
		}
	}
}

func TestConfigFileFromEnvironment(t *testing.T) {
	file := writeFile(t, "log-level: debug\n")
	cfg, err := parseConfig(nil, env(map[string]string{"CHIMED_CONFIG": file}), &bytes.Buffer{})
	if err != nil || cfg.LogLevel != "debug" {
		t.Fatalf("got %+v, %v", cfg, err)
	}
}

func TestInvalidConfigNamesTheKey(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		vars  map[string]string
		file  string
		wants string
	}{
		{name: "unknown file key", file: "adress: x\n", wants: `unknown key "adress"`},
		{name: "bad duration in file", file: "job-interval: soon\n", wants: "job-interval (from config file "},
		{name: "bad bool in file", file: "enable-test-api: maybe\n", wants: "enable-test-api (from config file "},
		{name: "bad duration in env", vars: map[string]string{"CHIMED_JOB_INTERVAL": "x"}, wants: "CHIMED_JOB_INTERVAL"},
		{name: "bad bool in env", vars: map[string]string{"CHIMED_ENABLE_TEST_API": "maybe"}, wants: "enable-test-api"},
		{name: "bad number in env", vars: map[string]string{"CHIMED_MAX_ROOM_MEMBERS": "many"}, wants: "max-room-members (from environment variable CHIMED_MAX_ROOM_MEMBERS)"},
		{name: "negative connection cap", args: []string{"--max-connections", "-1"}, wants: "max-connections"},
		{name: "zero deletion retention", args: []string{"--deletion-queue-retention", "0"}, wants: "deletion-queue-retention: 0s is not positive"},
		{name: "negative audit retention", args: []string{"--audit-retention", "-1h"}, wants: "audit-retention: -1h0m0s is negative"},
		{name: "job interval that spins", args: []string{"--job-interval", "1ns"}, wants: "job-interval"},
		{name: "job interval past the dial-out lease", args: []string{"--job-interval", "2m"}, wants: "job-interval"},
		{name: "job interval just under its least", args: []string{"--job-interval", "9ms"}, wants: "job-interval"},
		{name: "job interval just over its most", args: []string{"--job-interval", "21s"}, wants: "job-interval"},
		{name: "quota under 1", args: []string{"--max-rooms-per-account", "0"}, wants: "max-rooms-per-account"},
		{name: "room members under 1", args: []string{"--max-room-members", "0"}, wants: "max-room-members"},
		{name: "rooms per member under 1", args: []string{"--max-rooms-per-member", "0"}, wants: "max-rooms-per-member"},
		{name: "zero order delay", args: []string{"--order-delay", "0s"}, wants: "order-delay"},
		{name: "negative calling-name delay", args: []string{"--calling-name-delay", "-1s"}, wants: "calling-name-delay"},
		{name: "unknown STARTTLS policy", args: []string{"--smtp-starttls", "sometimes"}, wants: "smtp-starttls"},
		{name: "nested value", file: "addr:\n  host: x\n", wants: `"addr" must have a single value`},
		{name: "not yaml", file: "addr: [\n", wants: "config file"},
		{name: "tls half", args: []string{"--tls-cert", "c.pem"}, wants: "tls-cert and tls-key"},
		{name: "lambda key half", args: []string{"--lambda-access-key-id", "AKID"}, wants: "lambda-access-key-id and lambda-secret-access-key"},
		{name: "public URL not a URL", args: []string{"--public-url", "not a url"}, wants: "public-url"},
		{name: "public URL of another scheme", args: []string{"--public-url", "ftp://chimed.example.com"}, wants: "public-url"},
		{name: "public URL with a query", args: []string{"--public-url", "https://chimed.example.com/p?q=1"}, wants: "public-url"},
		{name: "public URL with a fragment", args: []string{"--public-url", "https://chimed.example.com/#top"}, wants: "public-url"},
		{name: "sender not an address", args: []string{"--smtp-from", "chimed at example"}, wants: "smtp-from"},
		{name: "mail server without a port", args: []string{"--smtp-addr", "smtp.example.net"}, wants: "smtp-addr"},
		{name: "Lambda endpoint without a host", vars: map[string]string{"CHIMED_LAMBDA_ENDPOINT": "http://"}, wants: "lambda-endpoint"},
		{name: "stray argument", args: []string{"serve"}, wants: `unexpected argument "serve"`},
		{name: "missing file", args: []string{"--config", "/nonexistent/chimed.yaml"}, wants: "config file"},
		{name: "bad log level in env", vars: map[string]string{"CHIMED_LOG_LEVEL": "verbose"}, wants: "log-level (from environment variable CHIMED_LOG_LEVEL)"},
		{name: "bad log format flag", args: []string{"--log-format", "xml"}, wants: "log-format (from the command line)"},
		{name: "bad rate limit in file", file: "rate-limit: lots\n", wants: "rate-limit (from config file "},
		{name: "empty address in file", file: "addr: ''\n", wants: "addr: empty"},
		{name: "empty address flag", args: []string{"--addr", ""}, wants: "addr: empty"},
		{name: "empty database", file: "db: ''\n", wants: "db: empty"},
		{name: "empty credentials in file", file: "credentials: ''\n", wants: "credentials: empty"},
		{name: "empty credentials flag", args: []string{"--credentials="}, wants: "credentials: empty"},
		{name: "mistyped PostgreSQL scheme", args: []string{"--db", "postgress://chimed:S3cret@db.example/chimed"}, wants: `db: "postgress://..." is not a URL`},
		{name: "upper-case PostgreSQL scheme", args: []string{"--db", "POSTGRES://chimed:S3cret@db.example/chimed"}, wants: "in lower case"},
		{name: "unknown flag", args: []string{"--adress", "x"}, wants: "-adress (chimed -help lists the flags)"},
		{name: "flag of the wrong type", args: []string{"--max-connections", "many"}, wants: `invalid value "many" for flag -max-connections`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.file != "" {
				args = append(args, "--config", writeFile(t, tt.file))
			}
			_, err := parseConfig(args, env(tt.vars), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.wants) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.wants)
			}
			if n := len(strings.Split(err.Error(), "\n")); n != 1 {
				t.Fatalf("%d errors for one bad setting: %v", n, err)
			}
			if strings.Contains(err.Error(), "S3cret") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
}

func TestRunHelpAndVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	for _, help := range []string{"--help", "-h", "help"} {
		stderr.Reset()
		if err := Run(context.Background(), []string{help}, env(nil), &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v", help, err)
		}
		for _, flag := range []string{"-addr", "-db", "-credentials", "-config", "-rate-limit", "-enable-test-api", "-tls-cert", "CHIMED_METRICS_ADDR"} {
			if !strings.Contains(stderr.String(), flag) {
				t.Errorf("%s does not document %s", help, flag)
			}
		}
	}
	stdout.Reset()
	if err := Run(context.Background(), []string{"version"}, env(nil), &stdout, &stderr); err != nil || !strings.HasPrefix(stdout.String(), "chimed ") {
		t.Fatalf("version: %q, %v", stdout.String(), err)
	}
}

// A stop asked for while the database opens or migrates is a clean one: no
// error (exit status 0), and no -wal file left beside the database.
func TestRunStoppedWhileOpeningTheDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr bytes.Buffer
	if err := Run(ctx, []string{"--db", db, "--addr", "127.0.0.1:0"}, env(nil), &bytes.Buffer{}, &stderr); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(stderr.String(), "stopped while opening the database") {
		t.Errorf("no log line saying why it stopped in:\n%s", stderr.String())
	}
	if _, err := os.Stat(db + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a -wal file is left beside the database (%v)", err)
	}
}

// Settings that only opening a file or a socket can check stop chimed at
// start-up too, naming the flag, and before the database is created: a
// half-started server leaves nothing behind.
func TestRunRefusesBadConfigBeforeServing(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	inUse := taken.Addr().String()
	for _, tc := range []struct {
		args  []string
		wants string
	}{
		{[]string{"--log-format", "xml"}, "log-format"},
		{[]string{"--tls-cert", filepath.Join(dir, "missing.pem"), "--tls-key", filepath.Join(dir, "missing.key")}, "tls-cert and tls-key"},
		{[]string{"--tls-cert", garbage, "--tls-key", garbage}, "tls-cert and tls-key"},
		{[]string{"--addr", "no port"}, "addr:"},
		{[]string{"--addr", inUse}, "addr:"},
		{[]string{"--metrics-addr", inUse}, "metrics-addr:"},
		{[]string{"--pprof-addr", inUse}, "pprof-addr:"},
		{[]string{"--audit-log", filepath.Join(dir, "no", "such", "dir")}, "audit-log:"},
	} {
		db := filepath.Join(t.TempDir(), "x.db")
		args := append([]string{"--db", db, "--addr", "127.0.0.1:0"}, tc.args...)
		err := Run(context.Background(), args, env(nil), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.wants) {
			t.Fatalf("%v: got %v, want an error naming %s", tc.args, err, tc.wants)
		}
		if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%v: the database was created before the refusal (%v)", tc.args, err)
		}
	}
}

// TestREADMEDocumentsEveryFlag keeps the README's configuration table in
// step with the flags: each one chimed --help lists must appear there.
func TestREADMEDocumentsEveryFlag(t *testing.T) {
	var usage bytes.Buffer
	if _, err := parseConfig([]string{"--help"}, env(nil), &usage); err == nil {
		t.Fatal("--help parsed as a configuration")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	flags := regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`).FindAllStringSubmatch(usage.String(), -1)
	if len(flags) < 20 {
		t.Fatalf("found %d flags in the usage text, want them all:\n%s", len(flags), usage.String())
	}
	for _, f := range flags {
		if !bytes.Contains(readme, []byte("`--"+f[1]+"`")) {
			t.Errorf("README.md does not document --%s", f[1])
		}
	}
}

// The shipped settings work as shipped: every key of deploy/chimed.yaml,
// commented ones included, is accepted, and the systemd unit and the
// Dockerfile set no setting by environment variable but the file's path,
// since CHIMED_* would outrank the same key in the file.
func TestDeployFilesAgree(t *testing.T) {
	sample, err := os.ReadFile("../../deploy/chimed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	uncommented := regexp.MustCompile(`(?m)^# ([a-z-]+: )`).ReplaceAll(sample, []byte("$1"))
	// The sample's tls-cert and tls-key name files of the target machine.
	uncommented = regexp.MustCompile(`(?m)^tls-(cert|key): .*$`).ReplaceAll(uncommented, nil)
	if _, err := parseConfig([]string{"--config", writeFile(t, string(uncommented))}, env(nil), &bytes.Buffer{}); err != nil {
		t.Errorf("deploy/chimed.yaml: %v", err)
	}
	for _, file := range []string{"../../deploy/chimed.service", "../../Dockerfile"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range regexp.MustCompile(`CHIMED_[A-Z_]+`).FindAllString(string(b), -1) {
			if v != "CHIMED_CONFIG" {
				t.Errorf("%s sets %s, which outranks the config file", file, v)
			}
		}
	}
}

// The limits of the checked settings are inclusive (TestInvalidConfigNamesTheKey
// refuses the values just past them), and the README's zeros (no connection
// cap, audit events kept for ever) are accepted.
func TestConfigLimitsAreInclusive(t *testing.T) {
	for _, args := range [][]string{
		{"--job-interval", "10ms"},
		{"--job-interval", "20s"},
		{"--audit-retention", "0"},
		{"--max-connections", "0"},
		{"--max-rooms-per-account", "1", "--max-room-members", "1", "--max-rooms-per-member", "1"},
		{"--order-delay", "1ms", "--calling-name-delay", "1ms", "--deletion-queue-retention", "1ms"},
	} {
		if _, err := parseConfig(args, env(nil), &bytes.Buffer{}); err != nil {
			t.Errorf("%s refused: %v", strings.Join(args, " "), err)
		}
	}
}

// The phone number lifecycles' defaults are the README's, whether the
// configuration was parsed (the flags' defaults) or built in code with
// zeros.
func TestTelephonyDefaults(t *testing.T) {
	cfg, err := parseConfig(nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := chime.TelephonyConfig{OrderDelay: time.Second, CallingNameDelay: 5 * time.Second, DeletionRetention: 168 * time.Hour}
	for name, c := range map[string]Config{"parsed": cfg, "built in code": {}} {
		got := (&Server{cfg: c}).telephony()
		if got.OrderDelay != want.OrderDelay || got.CallingNameDelay != want.CallingNameDelay || got.DeletionRetention != want.DeletionRetention {
			t.Errorf("%s: order delay %s, calling-name delay %s, deletion retention %s; want 1s, 5s, 168h",
				name, got.OrderDelay, got.CallingNameDelay, got.DeletionRetention)
		}
	}
}
