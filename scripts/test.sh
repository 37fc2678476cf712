#!/usr/bin/env bash
# The whole test suite: generated code up to date, vet, race-enabled Go tests
# (unit, end-to-end with the AWS SDK for Go v2, fuzz seeds), and the official
# clients (AWS CLI, boto3, JavaScript v3 and v2) against the built binary.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== generated code is up to date"
# Compare the generated files before and after a fresh run, so uncommitted
# work elsewhere in the tree does not count as staleness.
before=$(git ls-files -co --exclude-standard '*_gen.go' '*_gen_test.go' | sort | xargs sha256sum)
go generate ./...
after=$(git ls-files -co --exclude-standard '*_gen.go' '*_gen_test.go' | sort | xargs sha256sum)
[ "$before" = "$after" ] || { echo "generated files were stale: go generate ./... changed them; commit the result"; exit 1; }

echo "== gofmt, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go'))
[ -z "$unformatted" ] || { echo "gofmt would change: $unformatted"; exit 1; }
go vet ./...

echo "== go test -race (SQLite)"
env -u CHIMED_TEST_POSTGRES go test -race -count=1 ./...

# The store conformance suite and the end-to-end suite again, on PostgreSQL,
# with the tests that need two instances on one database.
if [ -n "${CHIMED_TEST_POSTGRES:-}" ]; then
	echo "== go test -race (PostgreSQL)"
	go test -race -count=1 ./internal/store/postgres/... ./internal/e2e/
elif [ -n "${CI:-}" ]; then
	echo "CI runs the suite on PostgreSQL too: .ci/run must source scripts/ci/postgres.sh, which sets CHIMED_TEST_POSTGRES"
	exit 1
else
	echo "== PostgreSQL suite skipped: CHIMED_TEST_POSTGRES is not set (source scripts/ci/postgres.sh to start a server)"
fi

echo "== fuzz (short runs; go test above already ran the seed corpora)"
# Budgets are exec counts, about 10 s each here, not durations: a duration
# budget can fail with a bare "context deadline exceeded" when it expires
# mid-exec (golang/go#75804, unfixed in Go 1.26), which is not a finding.
go test -run '^$' -fuzz '^FuzzDecodeInput$' -fuzztime 50000x ./internal/wire
go test -run '^$' -fuzz '^FuzzParseAuthorization$' -fuzztime 150000x ./internal/auth
go test -run '^$' -fuzz '^FuzzFastPatterns$' -fuzztime 200000x ./internal/model
go test -run '^$' -fuzz '^FuzzAppendString$' -fuzztime 200000x ./internal/model
go test -run '^$' -fuzz '^FuzzDecodeUser$' -fuzztime 100000x ./internal/store/sqlstore

# A short GetUser benchmark against the bare baseline: a performance
# regression fails the suite like a broken test.
bash scripts/bench-guard.sh

# The official clients run every operation against the built binary: the
# AWS SDK for Go v2 (operations report of the e2e suite), boto3, the AWS SDK
# for JavaScript v3 and v2 (npm ci: needs the npm registry) and the AWS CLI.
echo "== AWS CLI administrator scenarios (scripts/cli/run.sh)"
bash scripts/cli/run.sh

# Last, so that its closing line counts every operation of every client.
echo "== official clients (clients/run.sh)"
bash clients/run.sh
