#!/usr/bin/env bash
# Proves compatibility with the official AWS clients by running every Amazon
# Chime operation through each of them:
#   - the AWS SDK for Go v2   (the end-to-end tests, go test ./internal/e2e)
#   - the AWS SDK for Go v1   (clients/go-v1, a module of its own)
#   - boto3                   (clients/python, plain unittest)
#   - the AWS SDK for JS v3   (clients/js, node --test)
#   - the AWS SDK for JS v2   (the same tests through the `aws-sdk` package)
#   - the AWS CLI             (clients/cli, one `aws chime` call per subcommand)
#   - Debian 12's boto3 1.26 (December 2022, when Chime was in service) and
#     AWS CLI v2.9 (/usr/bin: .ci/run installs them), through the same suites
# For all but Go v2 it builds chimed and starts it on a free loopback port
# with a fresh database and the development key (test/test, AWS account
# 000000000000) — a new server per suite, since some state belongs to the
# whole AWS account (phone number settings may change once a week) — with
# dial-out going to a SIP far end on loopback (clients/sipuas.py).
#
# Each suite prints one line per operation and "N passed, N failed". The run
# fails if any suite misses an operation, or if a server logged an internal
# error (a 500). At the end it prints the compatibility table (markdown);
# CHIMED_COMPAT_OUT=<file> also writes it there.
#
# Usage: bash clients/run.sh [go|go1|python|python-debian|js|js2|cli|cli2 ...]
# (default: all eight)
set -euo pipefail
cd "$(dirname "$0")/.."

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(go go1 python python-debian js js2 cli cli2)

work=$(mktemp -d /tmp/chimed-clients.XXXXXX)
helper_pids=()
# The running server's PID is kept in a file, not a variable: a suite starts
# its server in run_suite's pipeline, a subshell, and cleanup must find that
# server from this shell too when this shell alone gets a SIGTERM.
stop_server() {
	local pid
	pid=$(cat "$work/server.pid" 2>/dev/null) || return 0
	rm -f "$work/server.pid"
	kill "$pid" 2>/dev/null || return 0
	# wait reaps the server in the shell that started it. From cleanup it
	# is not this shell's child and wait returns at once: poll, so that
	# the database is closed before its directory is removed.
	wait "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
}
cleanup() {
	stop_server
	for pid in "${helper_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
# The clients must not pick up a developer's own AWS configuration.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN

echo "== build chimed"
go build -o "$work/chimed" ./cmd/chimed

. clients/helper.sh

echo "== start the SIP far end"
start_helper "$work" sipuas.py "the SIP far end"
helper_pids+=("$helper_pid")
sip_port=$helper_port
# chimed reads --sip-trunk from CHIMED_SIP_TRUNK; the suites read it to know
# that dial-out is configured.
export CHIMED_SIP_TRUNK="sip:127.0.0.1:$sip_port"
echo "SIP far end at $CHIMED_SIP_TRUNK"

echo "== start the bots' event targets"
# PutEventsConfiguration checks a target before saving it: the suites'
# bots point at this stub (an events endpoint and the Lambda Invoke API).
start_helper "$work" botstub.py "the bots' event targets"
helper_pids+=("$helper_pid")
bot_port=$helper_port
# chimed reads these settings from the environment; the suites read
# CHIMED_TEST_BOT_URL for a bot endpoint that answers the challenge.
export CHIMED_ALLOW_PRIVATE_ENDPOINTS=true CHIMED_LAMBDA_ENDPOINT="http://127.0.0.1:$bot_port"
export CHIMED_LAMBDA_ACCESS_KEY_ID=test CHIMED_LAMBDA_SECRET_ACCESS_KEY=test
export CHIMED_TEST_BOT_URL="http://127.0.0.1:$bot_port/events"
echo "bots' event targets at 127.0.0.1:$bot_port"

# start_server NAME: a fresh chimed for one suite; sets CHIMED_ENDPOINT.
start_server() {
	local log="$work/server-$1.log"
	# Port 0: the kernel picks a free port; the server says which.
	"$work/chimed" --addr 127.0.0.1:0 --db "$work/chimed-$1.db" >"$log" 2>&1 &
	local server_pid=$!
	echo "$server_pid" >"$work/server.pid"
	local endpoint=""
	for _ in $(seq 1 300); do
		endpoint=$(sed -n 's/^chimed listening on \(http[^ ]*\).*/\1/p' "$log" | head -n 1)
		if [ -n "$endpoint" ] && curl -fsS "$endpoint/healthz" >/dev/null 2>&1; then
			export CHIMED_ENDPOINT="$endpoint"
			echo "chimed at $endpoint"
			return 0
		fi
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$log"
	echo "chimed did not start"
	stop_server
	return 1
}

failed=0
all_passed=0
all_failed=0
table=("| client | version | operations passing |" "| --- | --- | --- |")

# run_suite NAME VERSION COMMAND...: runs a suite, keeps its output, and adds
# its "N passed, N failed" line to the table.
run_suite() {
	local name=$1 version=$2
	shift 2
	echo
	echo "== $name ($version)"
	local status=0
	"$@" 2>&1 | tee "$work/suite.out" || status=$?
	local summary passed total
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/suite.out" | tail -n 1 || true)
	if [ -z "$summary" ]; then
		echo "$name: the suite printed no summary"
		failed=1
		table+=("| $name | $version | did not run |")
		return
	fi
	passed=${summary%% passed*}
	total=$((passed + $(echo "$summary" | sed 's/.*, \([0-9]*\) failed/\1/')))
	table+=("| $name | $version | $passed / $total |")
	all_passed=$((all_passed + passed))
	all_failed=$((all_failed + total - passed))
	if [ "$status" -ne 0 ] || [ "$passed" -ne "$total" ]; then
		failed=1
	fi
}

# The Go suite starts its own in-process servers; it reports which
# operations succeeded through the SDK across all its tests.
# -v so that the model-driven suites' counts (negative cases, not-found
# cases) can be shown.
go_suite() {
	local status=0
	env -u CHIMED_SIP_TRUNK CHIMED_OPERATIONS_REPORT="$work/go-operations.txt" \
		go test -v -count=1 ./internal/e2e >"$work/go-test.log" 2>&1 || status=$?
	[ "$status" -eq 0 ] || grep -E -B 2 -A 20 '^(--- FAIL|FAIL|panic)' "$work/go-test.log" | tail -n 150
	grep -hoE '(negative|not-found) suite: .*' "$work/go-test.log" || true
	cat "$work/go-operations.txt"
	return "$status"
}

# The v1 SDK is deprecated: its suite is a module of its own, so that chimed
# does not depend on it. Its reporter reads the tests' go test -json.
go1_suite() {
	(cd clients/go-v1 && go build -o "$work/go1-report" ./report)
	start_server go1
	local status=0
	(cd clients/go-v1 && go test -count=1 -json . | "$work/go1-report") || status=$?
	stop_server
	return "$status"
}

# boto3_version PYTHON: the boto3 and botocore that interpreter imports.
boto3_version() {
	"$1" -c 'import boto3, botocore; print(f"boto3 {boto3.__version__}, botocore {botocore.__version__}")'
}

# python_suite NAME PYTHON: the boto3 tests with that interpreter's boto3.
python_suite() {
	start_server "$1"
	local status=0
	"$2" clients/python/run.py || status=$?
	stop_server
	return "$status"
}

# A script written for Chime: no endpoint of its own.
unchanged_v2_script='
const chime = new (require("aws-sdk").Chime)();
(async () => {
  const { Account } = await chime.createAccount({ Name: "unchanged-v2-script" }).promise();
  const got = await chime.getAccount({ AccountId: Account.AccountId }).promise();
  console.log(`created and read back account ${got.Account.AccountId}`);
})().catch((err) => { console.error(err); process.exit(1); });'

# js_suite [v3|v2]: the JavaScript tests through that major version of the
# SDK.
js_suite() {
	(cd clients/js && npm ci --no-audit --no-fund --loglevel=error)
	start_server "js$1"
	local status=0
	(cd clients/js && CHIMED_JS_SDK=$1 npm test --silent) || status=$?
	if [ "$1" = v2 ]; then
		echo "== an unchanged aws-sdk v2 script sent to chimed by examples/chimed-endpoint.cjs"
		(cd clients/js && AWS_REGION=us-east-1 AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1 \
			node --require ../../examples/chimed-endpoint.cjs --eval "$unchanged_v2_script") || status=$?
	fi
	stop_server
	return "$status"
}

# cli_suite NAME AWS: the CLI session with that aws command.
cli_suite() {
	start_server "$1"
	local status=0
	AWS_CLI=$2 bash clients/cli/run.sh "$CHIMED_ENDPOINT" || status=$?
	stop_server
	return "$status"
}

for suite in "${suites[@]}"; do
	case $suite in
	go)
		run_suite "AWS SDK for Go v2" \
			"service/chime $(go list -m -f '{{.Version}}' github.com/aws/aws-sdk-go-v2/service/chime)" go_suite
		;;
	go1)
		run_suite "AWS SDK for Go v1" \
			"aws-sdk-go $(cd clients/go-v1 && go list -m -f '{{.Version}}' github.com/aws/aws-sdk-go)" go1_suite
		;;
	python)
		run_suite "boto3" "$(boto3_version python3)" python_suite python python3
		;;
	python-debian)
		run_suite "boto3 (Debian 12)" "$(boto3_version /usr/bin/python3)" python_suite python-debian /usr/bin/python3
		;;
	js)
		run_suite "AWS SDK for JavaScript v3" \
			"@aws-sdk/client-chime $(sed -n 's/.*"@aws-sdk\/client-chime": "\(.*\)".*/\1/p' clients/js/package.json), node $(node --version)" \
			js_suite v3
		;;
	js2)
		run_suite "AWS SDK for JavaScript v2" \
			"aws-sdk $(sed -n 's/.*"aws-sdk": "\(.*\)".*/\1/p' clients/js/package.json), node $(node --version)" \
			js_suite v2
		;;
	cli)
		run_suite "AWS CLI" "$(aws --version 2>&1 | cut -d' ' -f1)" cli_suite cli aws
		;;
	cli2)
		run_suite "AWS CLI v2 (Debian 12)" "$(/usr/bin/aws --version 2>&1 | cut -d' ' -f1)" cli_suite cli2 /usr/bin/aws
		;;
	*)
		echo "unknown suite $suite (go, go1, python, python-debian, js, js2, cli, cli2)"
		exit 2
		;;
	esac
done

echo
echo "== server logs"
# The server logs every answer it had to give as an internal error.
if cat "$work"/server-*.log 2>/dev/null | grep -i 'internal error'; then
	echo "a server failed internally while serving the suites (above)"
	failed=1
else
	echo "no internal errors"
fi

echo
echo "== compatibility"
printf '%s\n' "${table[@]}"
if [ -n "${CHIMED_COMPAT_OUT:-}" ]; then
	printf '%s\n' "${table[@]}" >"$CHIMED_COMPAT_OUT"
fi
echo
# The operations passed and failed across every client suite.
echo "clients: $all_passed passed, $all_failed failed"
[ "$failed" -eq 0 ] || exit 1
