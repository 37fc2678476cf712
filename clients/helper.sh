# Sourced by clients/run.sh and scripts/cli/run.sh.
#
# start_helper DIR SCRIPT WHAT: runs clients/SCRIPT, a Python helper that
# prints its port as its first line, logging to DIR; sets helper_pid and
# helper_port, or exits saying WHAT did not start.
start_helper() {
	local log="$1/$2.log"
	python3 -u "clients/$2" >"$log" 2>&1 &
	helper_pid=$!
	for _ in $(seq 1 100); do
		[ -s "$log" ] && break
		sleep 0.1
	done
	helper_port=$(head -n 1 "$log")
	case $helper_port in
	'' | *[!0-9]*)
		cat "$log"
		echo "$3 did not start"
		kill "$helper_pid" 2>/dev/null || true
		exit 1
		;;
	esac
}
