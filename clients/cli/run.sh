#!/usr/bin/env bash
# Runs every `aws chime` subcommand of the service model once against a
# chimed server with the AWS CLI, as one administrator's session (each
# call's output feeds the next), checks what each answers, and prints one
# line per operation and "N passed, N failed". Exit status 0 only when all
# pass.
#
#   bash clients/cli/run.sh http://127.0.0.1:8080
#
# AWS_CLI names the CLI to run (default: the `aws` on the PATH), e.g. a v2
# beside a v1. Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
# (default test/test, the server's development key). Dial-out is checked end to end when
# CHIMED_SIP_TRUNK says the server has a SIP trunk; otherwise the server must
# say that dial-out is not configured. The /_chimed/ extension endpoints (to
# claim a domain, post chat messages, follow a call) are called with curl's
# own SigV4 signing.
#
# The session runs in order; an operation whose input an earlier one failed
# to produce fails too. Each step is a function named after its operation
# whose commands are chained with &&, so that its status is the first
# failure's.
set -uo pipefail
cd "$(dirname "$0")/../.."

endpoint=${1:?usage: run.sh ENDPOINT_URL}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=us-east-1
# One attempt: a retry would hide a failure.
export AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=1
aws_account=${CHIMED_AWS_ACCOUNT_ID:-000000000000}
run=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
prefix="cli-$run"
unknown=00000000-0000-4000-8000-000000000000
unknown_number=+19995550100
lambda="arn:aws:lambda:us-east-1:$aws_account:function:chimed-bot"

aws=${AWS_CLI:-aws}
# The CLI v2 pipes its output through a pager when it writes to a terminal.
export AWS_PAGER=""

# chime runs one subcommand and prints its JSON.
chime() { "$aws" --endpoint-url "$endpoint" chime "$@"; }

# q QUERY SUBCOMMAND...: runs a subcommand and prints a JMESPath query of
# its answer as text (tab-separated).
q() {
	local query=$1
	shift
	chime "$@" --query "$query" --output text
}

fail() {
	echo "    $*" >&2
	return 1
}

# eq ACTUAL EXPECTED WHAT
eq() { [ "$1" == "$2" ] || fail "$3: got '$1', want '$2'"; }

# match ACTUAL REGEX WHAT
match() { [[ $1 =~ $2 ]] || fail "$3: '$1' does not match $2"; }

# sorted WORDS...: the words, sorted, space-separated.
sorted() { printf '%s\n' $* | sort | tr '\n' ' '; }

# extension METHOD PATH [JSON]: a SigV4-signed call to a /_chimed/ endpoint.
extension() {
	local args=(-sS --fail-with-body --aws-sigv4 "aws:amz:us-east-1:chime" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -X "$1")
	[ $# -lt 3 ] || args+=(-H "Content-Type: application/json" --data "$3")
	curl "${args[@]}" "$endpoint$2"
}

# json FIELD.PATH prints a field of the JSON on stdin.
json() {
	python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$1"
}

# claim ACCOUNT_ID TYPE DOMAIN: makes the account an Enterprise account, as
# claiming a domain in the Chime console did.
claim() {
	extension POST "/_chimed/accounts/$1/domains" "{\"Domain\": \"$3\", \"AccountType\": \"$2\"}" >/dev/null
}

# --- accounts --------------------------------------------------------------

team="" directory="" lwa="" doomed=""
domain="$run.example.com"

CreateAccount() {
	local out type owner license
	out=$(q '[Account.AccountId, Account.AccountType, Account.AwsAccountId, Account.DefaultLicense]' \
		create-account --name "$prefix-team") &&
		read -r team type owner license <<<"$out" &&
		eq "$type $owner $license" "Team $aws_account Pro" "new account" &&
		directory=$(q Account.AccountId create-account --name "$prefix-directory") &&
		claim "$directory" EnterpriseDirectory "$domain" &&
		lwa=$(q Account.AccountId create-account --name "$prefix-lwa") &&
		claim "$lwa" EnterpriseLWA "lwa-$domain" &&
		doomed=$(q Account.AccountId create-account --name "$prefix-doomed")
}

GetAccount() {
	eq "$(q '[Account.AccountId, Account.Name]' get-account --account-id "$team")" "$team	$prefix-team" "account"
}

UpdateAccount() {
	eq "$(q '[Account.Name, Account.DefaultLicense]' update-account --account-id "$team" --name "$prefix-team-renamed" \
		--default-license Basic)" "$prefix-team-renamed	Basic" "updated account"
}

UpdateAccountSettings() {
	chime update-account-settings --account-id "$team" --account-settings DisableRemoteControl=true,EnableDialOut=true
}

GetAccountSettings() {
	eq "$(q '[AccountSettings.DisableRemoteControl, AccountSettings.EnableDialOut]' get-account-settings --account-id "$team")" \
		"True	True" "settings after UpdateAccountSettings"
}

AssociateSigninDelegateGroupsWithAccount() {
	chime associate-signin-delegate-groups-with-account --account-id "$directory" \
		--signin-delegate-groups GroupName=engineering GroupName=sales >/dev/null
}

DisassociateSigninDelegateGroupsFromAccount() {
	chime disassociate-signin-delegate-groups-from-account --account-id "$directory" --group-names engineering >/dev/null
}

DeleteAccount() {
	chime delete-account --account-id "$doomed"
}

# One account a page: the CLI's paginator follows NextToken. The deleted
# account is gone; the delegate groups are what the two calls left.
ListAccounts() {
	eq "$(sorted "$(q 'Accounts[].AccountId' list-accounts --name "$prefix" --page-size 1)")" \
		"$(sorted "$team" "$directory" "$lwa")" "accounts listed" &&
		eq "$(q "Accounts[?AccountId=='$directory'].SigninDelegateGroups[].GroupName" list-accounts --name "$prefix-directory")" \
			sales "delegate groups after associate and disassociate"
}

# --- users -----------------------------------------------------------------

alice="" bob="" carol="" pin=""

CreateUser() {
	local out status
	out=$(q '[User.UserId, User.UserRegistrationStatus, User.PersonalPIN]' create-user --account-id "$team" \
		--email "alice-$run@example.com" --username alice) &&
		read -r alice status pin <<<"$out" &&
		eq "$status" Registered "new user" &&
		bob=$(q User.UserId create-user --account-id "$team" --email "bob-$run@example.com" --user-type SharedDevice) &&
		carol=$(q User.UserId create-user --account-id "$lwa" --email "carol-$run@example.com")
}

GetUser() {
	eq "$(q '[User.UserId, User.PrimaryEmail]' get-user --account-id "$team" --user-id "$alice")" \
		"$alice	alice-$run@example.com" "user"
}

InviteUsers() {
	eq "$(q 'Invites[].[EmailAddress, Status]' invite-users --account-id "$team" --user-email-list "dave-$run@example.com")" \
		"dave-$run@example.com	Pending" "invite"
}

# One user a page: the CLI's paginator follows NextToken.
ListUsers() {
	eq "$(q 'Users[].PrimaryEmail' list-users --account-id "$team" --page-size 1 | wc -w)" 3 "users (alice, bob, the invitee)"
}

UpdateUser() {
	eq "$(q User.LicenseType update-user --account-id "$team" --user-id "$alice" --license-type Basic)" Basic "license"
}

BatchUpdateUser() {
	eq "$(q 'UserErrors[].[UserId, ErrorCode]' batch-update-user --account-id "$team" \
		--update-user-request-items "UserId=$alice,LicenseType=Pro" "UserId=$unknown,LicenseType=Pro")" \
		"$unknown	NotFound" "user errors"
}

ResetPersonalPIN() {
	local new
	new=$(q User.PersonalPIN reset-personal-pin --account-id "$team" --user-id "$alice") &&
		match "$new" '^[0-9]+$' "PIN" &&
		{ [ "$new" != "$pin" ] || fail "the PIN did not change"; }
}

LogoutUser() {
	chime logout-user --account-id "$team" --user-id "$alice"
}

UpdateUserSettings() {
	chime update-user-settings --account-id "$team" --user-id "$alice" \
		--user-settings 'Telephony={InboundCalling=false,OutboundCalling=true,SMS=false}'
}

GetUserSettings() {
	eq "$(q '[UserSettings.Telephony.InboundCalling, UserSettings.Telephony.OutboundCalling, UserSettings.Telephony.SMS]' \
		get-user-settings --account-id "$team" --user-id "$alice")" "False	True	False" "settings after UpdateUserSettings"
}

# On a Team account suspending removes the user; on an EnterpriseLWA account
# the user is Suspended until unsuspended.
BatchSuspendUser() {
	eq "$(q 'UserErrors[].[UserId, ErrorCode]' batch-suspend-user --account-id "$team" --user-id-list "$bob" "$unknown")" \
		"$unknown	NotFound" "user errors" &&
		eq "$(q 'length(UserErrors || `[]`)' batch-suspend-user --account-id "$lwa" --user-id-list "$carol")" 0 "suspend carol"
}

BatchUnsuspendUser() {
	eq "$(q 'UserErrors[].[UserId, ErrorCode]' batch-unsuspend-user --account-id "$lwa" --user-id-list "$carol" "$unknown")" \
		"$unknown	NotFound" "user errors"
}

# --- rooms, memberships, bots, retention, redaction ------------------------

room="" erin="" frank="" bot="" token=""

CreateRoom() {
	erin=$(q User.UserId create-user --account-id "$directory" --email "erin-$run@example.com" --username Erin) &&
		frank=$(q User.UserId create-user --account-id "$directory" --email "frank-$run@example.com" --username Frank) &&
		room=$(q Room.RoomId create-room --account-id "$directory" --name lobby --client-request-token "token-$run") &&
		match "$room" '^[0-9a-f-]{36}$' "RoomId"
}

GetRoom() {
	eq "$(q '[Room.RoomId, Room.Name]' get-room --account-id "$directory" --room-id "$room")" "$room	lobby" "room"
}

UpdateRoom() {
	eq "$(q Room.Name update-room --account-id "$directory" --room-id "$room" --name lounge)" lounge "renamed room"
}

CreateRoomMembership() {
	eq "$(q 'RoomMembership.[Member.MemberId, Member.MemberType, Role]' create-room-membership --account-id "$directory" \
		--room-id "$room" --member-id "$erin")" "$erin	User	Member" "membership"
}

BatchCreateRoomMembership() {
	eq "$(q 'Errors[].[MemberId, ErrorCode]' batch-create-room-membership --account-id "$directory" --room-id "$room" \
		--membership-item-list "MemberId=$frank,Role=Administrator" "MemberId=$unknown")" "$unknown	NotFound" "member errors"
}

UpdateRoomMembership() {
	eq "$(q RoomMembership.Role update-room-membership --account-id "$directory" --room-id "$room" --member-id "$erin" \
		--role Administrator)" Administrator "role"
}

ListRoomMemberships() {
	local out
	out=$(chime list-room-memberships --account-id "$directory" --room-id "$room" --max-results 1) &&
		eq "$(echo "$out" | json 'RoomMemberships.0.Role')" Administrator "first member's role" &&
		{ echo "$out" | json NextToken >/dev/null || fail "two members, one a page, but no NextToken"; }
}

DeleteRoomMembership() {
	chime delete-room-membership --account-id "$directory" --room-id "$room" --member-id "$erin"
}

ListRooms() {
	eq "$(q 'Rooms[].RoomId' list-rooms --account-id "$directory" --member-id "$frank")" "$room" "frank's rooms"
}

CreateBot() {
	local out email type
	out=$(q '[Bot.BotId, Bot.BotEmail, Bot.BotType, Bot.SecurityToken]' create-bot --account-id "$directory" \
		--display-name helper --domain "$domain") &&
		read -r bot email type token <<<"$out" &&
		eq "$email $type" "helper-chimebot@$domain ChatBot" "new bot"
}

GetBot() {
	eq "$(q '[Bot.BotId, Bot.DisplayName]' get-bot --account-id "$directory" --bot-id "$bot")" "$bot	helper (Bot)" "bot"
}

UpdateBot() {
	eq "$(q Bot.Disabled update-bot --account-id "$directory" --bot-id "$bot" --disabled)" True "disabled"
}

ListBots() {
	eq "$(q 'Bots[].BotId' list-bots --account-id "$directory")" "$bot" "bots"
}

RegenerateSecurityToken() {
	local new
	new=$(q Bot.SecurityToken regenerate-security-token --account-id "$directory" --bot-id "$bot") &&
		{ [ -n "$new" ] && [ "$new" != "$token" ] || fail "the security token did not change"; }
}

PutEventsConfiguration() {
	eq "$(q EventsConfiguration.LambdaFunctionArn put-events-configuration --account-id "$directory" --bot-id "$bot" \
		--lambda-function-arn "$lambda")" "$lambda" "events configuration"
}

GetEventsConfiguration() {
	eq "$(q '[EventsConfiguration.BotId, EventsConfiguration.LambdaFunctionArn]' get-events-configuration \
		--account-id "$directory" --bot-id "$bot")" "$bot	$lambda" "events configuration"
}

DeleteEventsConfiguration() {
	chime delete-events-configuration --account-id "$directory" --bot-id "$bot"
}

PutRetentionSettings() {
	chime put-retention-settings --account-id "$directory" \
		--retention-settings 'RoomRetentionSettings={RetentionDays=30},ConversationRetentionSettings={RetentionDays=60}'
}

GetRetentionSettings() {
	match "$(q '[RetentionSettings.RoomRetentionSettings.RetentionDays, RetentionSettings.ConversationRetentionSettings.RetentionDays, InitiateDeletionTimestamp]' \
		get-retention-settings --account-id "$directory")" $'^30\t60\t[0-9]{4}-[0-9]{2}-[0-9]{2}T' "retention settings"
}

# A message posted to the room's incoming webhook, redacted: listed as
# Redacted, its content gone.
RedactRoomMessage() {
	local base="/_chimed/accounts/$directory/rooms/$room" url message listed
	url=$(extension POST "$base/webhooks" '{"Name": "alerts"}' | json Webhook.Url) &&
		message=$(curl -sS --fail-with-body -H "Content-Type: application/json" --data '{"Content": "launch code 0000"}' "$url" |
			json MessageId) &&
		chime redact-room-message --account-id "$directory" --room-id "$room" --message-id "$message" >/dev/null &&
		listed=$(extension GET "$base/messages") &&
		eq "$(echo "$listed" | json Messages.0.Redacted)" True "redacted" &&
		{ [[ $listed != *"launch code"* ]] || fail "the redacted content is still served"; }
}

RedactConversationMessage() {
	local base="/_chimed/accounts/$directory/conversations" conversation message listed
	conversation=$(extension POST "$base" "{\"MemberIds\": [\"$erin\", \"$frank\"]}" | json Conversation.ConversationId) &&
		message=$(extension POST "$base/$conversation/messages" "{\"SenderId\": \"$erin\", \"Content\": \"hunter2\"}" |
			json MessageId) &&
		chime redact-conversation-message --account-id "$directory" --conversation-id "$conversation" \
			--message-id "$message" >/dev/null &&
		listed=$(extension GET "$base/$conversation/messages") &&
		eq "$(echo "$listed" | json Messages.0.Redacted)" True "redacted" &&
		{ [[ $listed != *hunter2* ]] || fail "the redacted content is still served"; }
}

DeleteRoom() {
	chime delete-room --account-id "$directory" --room-id "$room"
}

# --- phone numbers, orders, settings, dial-out -----------------------------

numbers=() order="" callee=""

ListSupportedPhoneNumberCountries() {
	eq "$(sorted "$(q "PhoneNumberCountries[?CountryCode=='US'].SupportedPhoneNumberTypes[]" \
		list-supported-phone-number-countries --product-type BusinessCalling)")" "Local " "US Business Calling number types" &&
		eq "$(sorted "$(q "PhoneNumberCountries[?CountryCode=='US'].SupportedPhoneNumberTypes[]" \
			list-supported-phone-number-countries --product-type VoiceConnector)")" "Local TollFree " "US Voice Connector number types"
}

SearchAvailablePhoneNumbers() {
	local found
	found=$(q E164PhoneNumbers search-available-phone-numbers --area-code 206 --max-results 6) &&
		read -ra numbers <<<"$found" &&
		eq "${#numbers[@]}" 6 "numbers found" &&
		match "${numbers[*]}" '^(\+1206[0-9]{7} ?){6}$' "numbers of area code 206" &&
		callee=${numbers[5]} &&
		numbers=("${numbers[@]:0:5}")
}

CreatePhoneNumberOrder() {
	local out status
	out=$(q '[PhoneNumberOrder.PhoneNumberOrderId, PhoneNumberOrder.Status]' create-phone-number-order \
		--product-type BusinessCalling --e164-phone-numbers "${numbers[@]}") &&
		read -r order status <<<"$out" &&
		eq "$status" Processing "new order"
}

# Polls until the order is fulfilled (a background job, --order-delay).
GetPhoneNumberOrder() {
	local status=Processing
	for _ in $(seq 1 60); do
		status=$(q PhoneNumberOrder.Status get-phone-number-order --phone-number-order-id "$order") || return 1
		[ "$status" == Processing ] || break
		sleep 0.5
	done
	eq "$status" Successful "order"
}

ListPhoneNumberOrders() {
	eq "$(q "PhoneNumberOrders[?PhoneNumberOrderId=='$order'].Status" list-phone-number-orders)" Successful "listed order"
}

GetPhoneNumber() {
	eq "$(q '[PhoneNumber.PhoneNumberId, PhoneNumber.Status, PhoneNumber.ProductType, PhoneNumber.Type, PhoneNumber.Country]' \
		get-phone-number --phone-number-id "${numbers[0]}")" "${numbers[0]}	Unassigned	BusinessCalling	Local	US" "number"
}

UpdatePhoneNumber() {
	eq "$(q '[PhoneNumber.CallingName, PhoneNumber.CallingNameStatus]' update-phone-number --phone-number-id "${numbers[0]}" \
		--calling-name "Chimed CLI")" "Chimed CLI	UpdateInProgress" "calling name"
}

BatchUpdatePhoneNumber() {
	eq "$(q 'PhoneNumberErrors[].[PhoneNumberId, ErrorCode]' batch-update-phone-number --update-phone-number-request-items \
		"PhoneNumberId=${numbers[1]},CallingName=Chimed Batch" "PhoneNumberId=$unknown_number,CallingName=Chimed Batch")" \
		"$unknown_number	NotFound" "phone number errors"
}

AssociatePhoneNumberWithUser() {
	chime associate-phone-number-with-user --account-id "$team" --user-id "$alice" --e164-phone-number "${numbers[2]}" >/dev/null
}

# Every number of the order, with what the calls before did to them.
ListPhoneNumbers() {
	eq "$(q "PhoneNumbers[?PhoneNumberId=='${numbers[2]}'].[Status, Associations[?Name=='UserId'].Value | [0]]" \
		list-phone-numbers --product-type BusinessCalling)" "Assigned	$alice" "associated number"
}

DisassociatePhoneNumberFromUser() {
	chime disassociate-phone-number-from-user --account-id "$team" --user-id "$alice" >/dev/null &&
		eq "$(q User.PrimaryProvisionedNumber get-user --account-id "$team" --user-id "$alice")" None "user's number"
}

DeletePhoneNumber() {
	chime delete-phone-number --phone-number-id "${numbers[3]}"
}

BatchDeletePhoneNumber() {
	eq "$(q 'PhoneNumberErrors[].[PhoneNumberId, ErrorCode]' batch-delete-phone-number \
		--phone-number-ids "${numbers[4]}" "$unknown_number")" "$unknown_number	NotFound" "phone number errors"
}

RestorePhoneNumber() {
	eq "$(q PhoneNumber.Status restore-phone-number --phone-number-id "${numbers[3]}")" Unassigned "restored number"
}

UpdatePhoneNumberSettings() {
	chime update-phone-number-settings --calling-name "Chimed CLI"
}

GetPhoneNumberSettings() {
	match "$(q '[CallingName, CallingNameUpdatedTimestamp]' get-phone-number-settings)" $'^Chimed CLI\t[0-9]{4}-' \
		"settings after UpdatePhoneNumberSettings"
}

UpdateGlobalSettings() {
	chime update-global-settings --business-calling CdrBucket="chimed-cdrs-$run"
}

GetGlobalSettings() {
	eq "$(q BusinessCalling.CdrBucket get-global-settings)" "chimed-cdrs-$run" "settings after UpdateGlobalSettings"
}

# Dials the callee into a meeting from a number of the inventory. With a SIP
# trunk, the far end answers and the call's progress says so.
CreateMeetingDialOut() {
	local args id status=""
	args=(create-meeting-dial-out --meeting-id "$(python3 -c 'import uuid; print(uuid.uuid4())')"
		--from-phone-number "${numbers[0]}" --to-phone-number "$callee" --join-token am9pbi10b2tlbg)
	if [ -z "${CHIMED_SIP_TRUNK:-}" ]; then
		local out
		out=$(chime "${args[@]}" 2>&1) && fail "dial-out without a SIP trunk succeeded: $out"
		[[ $out == *"(ForbiddenException)"* ]] || fail "want ForbiddenException, got: $out"
		return
	fi
	id=$(q TransactionId "${args[@]}") && match "$id" '^[0-9a-f-]{36}$' "TransactionId" || return 1
	for _ in $(seq 1 50); do
		status=$(extension GET "/_chimed/dial-outs/$id" | json DialOut.Status) || return 1
		case $status in answered | ended) return 0 ;; failed) break ;; esac
		sleep 0.2
	done
	fail "dial-out $id: $status"
}

# --- the session -----------------------------------------------------------

session=(
	CreateAccount GetAccount UpdateAccount UpdateAccountSettings GetAccountSettings
	AssociateSigninDelegateGroupsWithAccount DisassociateSigninDelegateGroupsFromAccount DeleteAccount ListAccounts
	CreateUser GetUser InviteUsers ListUsers UpdateUser BatchUpdateUser ResetPersonalPIN LogoutUser
	UpdateUserSettings GetUserSettings BatchSuspendUser BatchUnsuspendUser
	CreateRoom GetRoom UpdateRoom CreateRoomMembership BatchCreateRoomMembership UpdateRoomMembership
	ListRoomMemberships DeleteRoomMembership ListRooms CreateBot GetBot UpdateBot ListBots RegenerateSecurityToken
	PutEventsConfiguration GetEventsConfiguration DeleteEventsConfiguration PutRetentionSettings GetRetentionSettings
	RedactRoomMessage RedactConversationMessage DeleteRoom
	ListSupportedPhoneNumberCountries SearchAvailablePhoneNumbers CreatePhoneNumberOrder GetPhoneNumberOrder
	ListPhoneNumberOrders GetPhoneNumber UpdatePhoneNumber BatchUpdatePhoneNumber AssociatePhoneNumberWithUser
	ListPhoneNumbers DisassociatePhoneNumberFromUser DeletePhoneNumber BatchDeletePhoneNumber RestorePhoneNumber
	UpdatePhoneNumberSettings GetPhoneNumberSettings UpdateGlobalSettings GetGlobalSettings CreateMeetingDialOut
)

declare -A outcome
for op in "${session[@]}"; do
	echo "-- $op" >&2
	if "$op" >/dev/null; then
		outcome[$op]=pass
	else
		outcome[$op]=FAIL
	fi
done

echo
"$aws" --version 2>&1
passed=0 failed=0
for op in $(python3 -c 'import json; print(" ".join(sorted(json.load(open("api/chime-2018-05-01.model.json"))["operations"])))'); do
	result=${outcome[$op]:-"FAIL  (not in the session)"}
	printf '%-46s %s\n' "$op" "$result"
	if [ "$result" == pass ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
