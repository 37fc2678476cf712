#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests: installs PostgreSQL
# from Debian if it is missing (as root), initialises a cluster in a new
# temporary directory as the postgres user, and starts it on a free loopback
# port with trust authentication.
#
# Sourced (`. scripts/ci/postgres.sh`), it exports CHIMED_TEST_POSTGRES and
# stops the cluster and removes its directory when the sourcing shell exits.
# Run, it prints the DSN and the command that stops the cluster.
#
# The cluster is tuned for speed, not safety (fsync off): it holds only test
# databases.

pg_main() {
	local bindir dir port dsn
	# The client package alone makes /usr/lib/postgresql/N/bin: look for
	# the server's initdb.
	if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
		echo "== installing PostgreSQL from Debian" >&2
		apt-get update >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
	fi
	bindir=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
	dir=$(mktemp -d /tmp/chimed-pg.XXXXXX)
	chown postgres: "$dir"
	pg_as_postgres "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" ||
		{ cat "$dir/initdb.log" >&2; return 1; }

	# Other test runs on this machine may take ports meanwhile: try the next
	# one until the server starts.
	for port in $(seq 15432 15531); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue # in use
		fi
		if pg_as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
			"-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
			>/dev/null; then
			dsn="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
			PG_CI_DIR=$dir PG_CI_BINDIR=$bindir PG_CI_DSN=$dsn
			return 0
		fi
	done
	cat "$dir/server.log" >&2
	echo "no free port for PostgreSQL in 15432-15531" >&2
	return 1
}

pg_as_postgres() {
	runuser -u postgres -- "$@"
}

pg_stop() {
	pg_as_postgres "$PG_CI_BINDIR/pg_ctl" -D "$PG_CI_DIR/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$PG_CI_DIR"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	pg_main || return 1
	export CHIMED_TEST_POSTGRES=$PG_CI_DSN
	trap pg_stop EXIT
	echo "== PostgreSQL test cluster at $CHIMED_TEST_POSTGRES"
else
	set -euo pipefail
	pg_main
	echo "CHIMED_TEST_POSTGRES=$PG_CI_DSN"
	echo "stop it with: runuser -u postgres -- $PG_CI_BINDIR/pg_ctl -D $PG_CI_DIR/data -m immediate stop && rm -rf $PG_CI_DIR"
fi
