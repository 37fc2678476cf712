#!/usr/bin/env bash
# The administrator scenarios through the AWS CLI, against the built binary:
# accounts and users, rooms/memberships/bots on an Enterprise account, a
# phone number's whole life, and a dial-out answered by sipp; then the
# README's boto3 example of the test-control API, which resets the AWS
# account, so it goes last.
set -euo pipefail
cd "$(dirname "$0")/../.."
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

dir=$(mktemp -d /tmp/chimed-cli.XXXXXX)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

# The bot's events endpoint: chimed verifies it before saving it.
. clients/helper.sh
start_helper "$dir" botstub.py "the bot's events endpoint"
pids+=("$helper_pid")
bot_port=$helper_port

go build -o "$dir/chimed" ./cmd/chimed
"$dir/chimed" --addr 127.0.0.1:0 --db "$dir/chimed.db" --allow-private-endpoints --enable-test-api >"$dir/out.log" 2>"$dir/err.log" &
pids+=($!)
url=""
for _ in $(seq 1 100); do
	url=$(sed -n 's/^chimed listening on \([^ ]*\).*/\1/p' "$dir/out.log")
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || { cat "$dir/out.log" "$dir/err.log"; echo "chimed did not start"; exit 1; }
chime() { aws --endpoint-url "$url" chime "$@"; }
# The README's signing helper for the /_chimed/ endpoints, failing on an
# error status.
chimed_curl() { curl -sf --aws-sigv4 "aws:amz:us-east-1:chime" --user test:test -H 'Content-Type: application/json' "$@"; }

echo "== accounts and users"
account=$(chime create-account --name "cli-$$" --query Account.AccountId --output text)
[ "$(chime get-account --account-id "$account" --query Account.AccountType --output text)" = Team ]
user=$(chime create-user --account-id "$account" --email "cli-$$@example.com" --query User.UserId --output text)
chime update-user --account-id "$account" --user-id "$user" --license-type Basic >/dev/null
[ "$(chime list-users --account-id "$account" --user-email "cli-$$@example.com" --query 'Users[0].LicenseType' --output text)" = Basic ]
if chime get-user --account-id "$account" --user-id nobody 2>"$dir/e"; then echo "GetUser of nobody succeeded"; exit 1; fi
grep -q NotFoundException "$dir/e"
# An invitee accepts through the link the invitation outbox lists (no relay
# here, so it was not emailed).
invite=$(chime invite-users --account-id "$account" --user-email-list "invitee-$$@example.com" --query 'Invites[0].InviteId' --output text)
link=$(chimed_curl "$url/_chimed/accounts/$account/invitations" |
	python3 -c 'import json, sys; print(next(i["InvitationUrl"] for i in json.load(sys.stdin)["Invitations"] if i["InviteId"] == sys.argv[1]))' "$invite")
curl -sf -X POST "$link" >/dev/null
[ "$(chime list-users --account-id "$account" --user-email "invitee-$$@example.com" --query 'Users[0].UserRegistrationStatus' --output text)" = Registered ]
invitee=$(chime list-users --account-id "$account" --user-email "invitee-$$@example.com" --query 'Users[0].UserId' --output text)
chime batch-suspend-user --account-id "$account" --user-id-list "$user" "$invitee" >/dev/null
chime delete-account --account-id "$account"

echo "== rooms, memberships and bots (Enterprise account)"
enterprise=$(chime create-account --name "cli-enterprise-$$" --query Account.AccountId --output text)
chimed_curl -d "{\"Domain\":\"cli$$.example.com\",\"AccountType\":\"EnterpriseLWA\"}" "$url/_chimed/accounts/$enterprise/domains" >/dev/null
bash scripts/cli/collab.sh "$url" "$enterprise" "http://127.0.0.1:$bot_port/events"

echo "== a phone number's life"
bash scripts/cli/telephony.sh "$url"

echo "== dial-out answered by sipp"
bash scripts/cli/dialout-sipp.sh "$dir/chimed"

echo "== test-control API from boto3 (examples/chimed_test_api.py)"
CHIMED_URL="$url" python3 examples/chimed_test_api.py
echo "CLI scenarios: OK"
