#!/usr/bin/env bash
# Chat rooms, memberships and bots through the AWS CLI, as an administrator
# would use them: a room, a user and a bot as its members, the bot's events
# configuration. Any step that fails, or answers what it should not, fails
# the script.
#
# Usage: scripts/cli/collab.sh URL ACCOUNT_ID BOT_ENDPOINT
#   URL         a chimed started with the development key (test/test)
#   ACCOUNT_ID  an Enterprise account of that key's AWS account (an account
#               becomes Enterprise by claiming a domain:
#               POST /_chimed/accounts/ACCOUNT_ID/domains, signed)
set -euo pipefail
url=${1:?usage: collab.sh URL ACCOUNT_ID}
account=${2:?usage: collab.sh URL ACCOUNT_ID BOT_ENDPOINT}
# BOT_ENDPOINT: an events endpoint that answers chimed's verification
# challenge (clients/botstub.py serves one); the server must be allowed to
# reach it (--allow-private-endpoints for a loopback stub).
endpoint=${3:?usage: collab.sh URL ACCOUNT_ID BOT_ENDPOINT}
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
run=$(date +%s)$$ # names unique to this run

chime() { aws --endpoint-url "$url" chime "$@"; }
expect() { # expect WHAT GOT WANT
	[ "$2" = "$3" ] || { echo "collab.sh: $1: got '$2', want '$3'" >&2; exit 1; }
}

room=$(chime create-room --account-id "$account" --name "cli room $run" --query Room.RoomId --output text)
expect "room name" "$(chime get-room --account-id "$account" --room-id "$room" --query Room.Name --output text)" "cli room $run"

user=$(chime create-user --account-id "$account" --email "cli-$run@example.com" --username "CLI $run" --query User.UserId --output text)
expect "user membership role" "$(chime create-room-membership --account-id "$account" --room-id "$room" --member-id "$user" \
	--query RoomMembership.Role --output text)" Member

bot=$(chime create-bot --account-id "$account" --display-name "clibot$run" --query Bot.BotId --output text)
expect "bot type" "$(chime get-bot --account-id "$account" --bot-id "$bot" --query Bot.BotType --output text)" ChatBot
# Through --cli-input-json: AWS CLI v1 would fetch a URL given as a parameter.
chime put-events-configuration --cli-input-json \
	"{\"AccountId\": \"$account\", \"BotId\": \"$bot\", \"OutboundEventsHTTPSEndpoint\": \"$endpoint\"}" >/dev/null
expect "bot membership type" "$(chime create-room-membership --account-id "$account" --room-id "$room" --member-id "$bot" \
	--role Administrator --query RoomMembership.Member.MemberType --output text)" Bot

expect "members" "$(chime list-room-memberships --account-id "$account" --room-id "$room" \
	--query 'length(RoomMemberships)' --output text)" 2
expect "rooms of the bot" "$(chime list-rooms --account-id "$account" --member-id "$bot" --query 'Rooms[].RoomId' --output text)" "$room"

# A second membership of the same user is refused with the documented error.
if out=$(chime create-room-membership --account-id "$account" --room-id "$room" --member-id "$user" 2>&1); then
	echo "collab.sh: adding a member twice succeeded: $out" >&2
	exit 1
fi
case $out in *ConflictException*) ;; *) echo "collab.sh: adding a member twice: $out" >&2; exit 1 ;; esac

chime delete-room --account-id "$account" --room-id "$room"
echo "collab.sh: room, memberships and bot OK"
