#!/usr/bin/env bash
# A phone number's life through the AWS CLI, as an administrator would live
# it: search the catalogue, order a number, wait for the order to succeed,
# give the number to a user, take it back, delete it into the deletion queue
# and restore it. Any step that fails, or answers what it should not, fails
# the script.
#
# Usage: scripts/cli/telephony.sh URL
#   URL  a chimed started with the development key (test/test); the order
#        completes after its --order-delay (1s by default)
set -euo pipefail
url=${1:?usage: telephony.sh URL}
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
run=$(date +%s)$$ # names unique to this run

chime() { aws --endpoint-url "$url" chime "$@"; }
expect() { # expect WHAT GOT WANT
	[ "$2" = "$3" ] || { echo "telephony.sh: $1: got '$2', want '$3'" >&2; exit 1; }
}
number_status() { chime get-phone-number --phone-number-id "$1" --query PhoneNumber.Status --output text; }

# Search: Seattle numbers, in area code 206 or another of Seattle's.
numbers=$(chime search-available-phone-numbers --city Seattle --state WA --max-results 3 --query 'E164PhoneNumbers' --output text)
expect "numbers found" "$(wc -w <<<"$numbers" | tr -d ' ')" 3
number=${numbers%%[[:space:]]*}
case $number in +1[2-9][0-9][0-9][2-9][0-9][0-9][0-9][0-9][0-9][0-9]) ;; *) echo "telephony.sh: $number is not a US E.164 number" >&2; exit 1 ;; esac

# Order, then wait for the order to be fulfilled.
read -r order status < <(chime create-phone-number-order --product-type BusinessCalling --e164-phone-numbers "$number" \
	--query '[PhoneNumberOrder.PhoneNumberOrderId, PhoneNumberOrder.Status]' --output text)
expect "new order" "$status" Processing
for _ in $(seq 60); do
	status=$(chime get-phone-number-order --phone-number-order-id "$order" --query PhoneNumberOrder.Status --output text)
	[ "$status" = Processing ] || break
	sleep 0.5
done
expect "order" "$status" Successful
expect "ordered number" "$(chime get-phone-number-order --phone-number-order-id "$order" \
	--query 'PhoneNumberOrder.OrderedPhoneNumbers[0].Status' --output text)" Acquired
expect "acquired number" "$(number_status "$number")" Unassigned
expect "inventory" "$(chime list-phone-numbers --product-type BusinessCalling --status Unassigned \
	--query "PhoneNumbers[?PhoneNumberId=='$number'] | length(@)" --output text)" 1

# Give it to a user, and take it back.
account=$(chime create-account --name "cli telephony $run" --query Account.AccountId --output text)
user=$(chime create-user --account-id "$account" --email "phone-$run@example.com" --query User.UserId --output text)
chime associate-phone-number-with-user --account-id "$account" --user-id "$user" --e164-phone-number "$number" >/dev/null
expect "assigned number" "$(number_status "$number")" Assigned
expect "user's number" "$(chime get-user --account-id "$account" --user-id "$user" --query User.PrimaryProvisionedNumber --output text)" "$number"
expect "numbers of the user" "$(chime list-phone-numbers --filter-name UserId --filter-value "$user" \
	--query 'PhoneNumbers[].PhoneNumberId' --output text)" "$number"
chime disassociate-phone-number-from-user --account-id "$account" --user-id "$user" >/dev/null
expect "unassigned number" "$(number_status "$number")" Unassigned

# Delete into the deletion queue, and restore.
chime delete-phone-number --phone-number-id "$number"
expect "deleted number" "$(number_status "$number")" DeleteInProgress
expect "restored number" "$(chime restore-phone-number --phone-number-id "$number" --query PhoneNumber.Status --output text)" Unassigned

# An associated number cannot be deleted: the documented refusal.
chime associate-phone-number-with-user --account-id "$account" --user-id "$user" --e164-phone-number "$number" >/dev/null
if out=$(chime delete-phone-number --phone-number-id "$number" 2>&1); then
	echo "telephony.sh: deleting an assigned number succeeded: $out" >&2
	exit 1
fi
case $out in *BadRequestException*) ;; *) echo "telephony.sh: deleting an assigned number: $out" >&2; exit 1 ;; esac

# Leave nothing behind: the user goes (and gives the number back), the
# account and the number follow.
chime batch-suspend-user --account-id "$account" --user-id-list "$user" >/dev/null
expect "number of a removed user" "$(number_status "$number")" Unassigned
chime delete-account --account-id "$account" >/dev/null
chime delete-phone-number --phone-number-id "$number"
echo "telephony.sh: search, order, assign, unassign, delete and restore OK ($number)"
