#!/usr/bin/env bash
# CreateMeetingDialOut against a real SIP far end: sipp (Debian package
# sip-tester) answers as the PBX behind chimed's --sip-trunk. The script
# places the call with the AWS CLI, follows it through
# GET /_chimed/dial-outs/{TransactionId} until it is answered, hangs it up
# with DELETE on the same path, and checks the INVITE sipp received (From,
# To, the meeting's X- headers). Any step that fails, or answers what it
# should not, fails the script.
#
# Usage: scripts/cli/dialout-sipp.sh [CHIMED_BINARY]
#   CHIMED_BINARY  the chimed to run (default: built from this tree)
set -euo pipefail
cd "$(dirname "$0")/../.."
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1

if ! command -v sipp >/dev/null; then
	echo "== installing sipp (sip-tester) from Debian" >&2
	apt-get update >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y sip-tester >&2
fi

dir=$(mktemp -d /tmp/chimed-dialout.XXXXXX)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
fail() {
	echo "dialout-sipp.sh: $*" >&2
	for f in "$dir"/chimed.log "$dir"/sipp.out "$dir"/sipp-messages.log; do
		[ -f "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
	done
	exit 1
}
expect() { # expect WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
free_port() { # free_port udp|tcp
	python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=='udp' else socket.SOCK_STREAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}

chimed=${1:-}
if [ -z "$chimed" ]; then
	chimed=$dir/chimed
	go build -o "$chimed" ./cmd/chimed
fi

# The far end: one call, then sipp exits (0 when the call went as scripted).
sip_port=$(free_port udp)
sipp -sf scripts/cli/dialout-uas.xml -i 127.0.0.1 -p "$sip_port" -m 1 -timeout 60s -nostdin \
	-trace_msg -message_file "$dir/sipp-messages.log" >"$dir/sipp.out" 2>&1 &
sipp_pid=$!
pids+=("$sipp_pid")

http_port=$(free_port tcp)
url=http://127.0.0.1:$http_port
"$chimed" --addr "127.0.0.1:$http_port" --db "$dir/chimed.db" --order-delay 100ms \
	--sip-trunk "sip:127.0.0.1:$sip_port" >"$dir/chimed.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
	curl -fs "$url/healthz" >/dev/null && break
	sleep 0.1
done
curl -fs "$url/healthz" >/dev/null || fail "chimed did not start"

chime() { aws --endpoint-url "$url" chime "$@"; }
# The extension endpoints are signed like the API.
dialout() { # dialout METHOD TRANSACTION_ID QUERY
	curl -fsS -X "$1" --aws-sigv4 "aws:amz:us-east-1:chime" --user test:test "$url/_chimed/dial-outs/$2" |
		python3 -c "import json,sys; d=json.load(sys.stdin)['DialOut']; print($3)"
}

# A number of the AWS account to call from.
from=$(chime search-available-phone-numbers --area-code 206 --max-results 1 --query 'E164PhoneNumbers[0]' --output text)
order=$(chime create-phone-number-order --product-type SipMediaApplicationDialIn --e164-phone-numbers "$from" \
	--query PhoneNumberOrder.PhoneNumberOrderId --output text)
for _ in $(seq 60); do
	status=$(chime get-phone-number-order --phone-number-order-id "$order" --query PhoneNumberOrder.Status --output text)
	[ "$status" = Processing ] || break
	sleep 0.2
done
expect "order" "$status" Successful

to=+14155550123
meeting=12a3456b-7c89-4012-a345-678901e23f45
token=am9pbi10b2tlbi1mb3ItZGlhbC1vdXQ
id=$(chime create-meeting-dial-out --meeting-id "$meeting" --from-phone-number "$from" --to-phone-number "$to" \
	--join-token "$token" --query TransactionId --output text)

for _ in $(seq 100); do
	status=$(dialout GET "$id" "d['Status']")
	case $status in trying | ringing) sleep 0.1 ;; *) break ;; esac
done
expect "dial-out" "$status" answered
expect "steps" "$(dialout GET "$id" "','.join(e['Status'] for e in d['Events'])")" "trying,ringing,answered"
expect "SIP status" "$(dialout GET "$id" "d['SipStatusCode']")" 200

expect "hung up" "$(dialout DELETE "$id" "d['Status']")" ended
wait "$sipp_pid" || fail "sipp did not complete its call (exit $?)"

# What the far end received.
invite=$(awk '/^INVITE /,/^$/' "$dir/sipp-messages.log")
check_header() { # check_header NAME PATTERN
	grep -iqE "^$1:.*$2" <<<"$invite" || fail "INVITE $1 does not match '$2':
$invite"
}
check_header From "<sip:\\$from@"
check_header To "<sip:\\$to@"
check_header Call-ID "$id"
check_header X-Chime-Meeting-Id "$meeting"
check_header X-Chime-Join-Token "$token"
echo "dialout-sipp.sh: dial-out $id from $from to $to answered by sipp and hung up OK"
