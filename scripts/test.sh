#!/usr/bin/env bash
# The whole test suite: generated code up to date, vet, race-enabled Go tests
# (unit, end-to-end with the AWS SDK for Go v2, fuzz seeds), and the official
# clients (AWS CLI, boto3, JavaScript v3) against the built binary.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== generated code is up to date"
go generate ./...
git diff --exit-code -- internal/ api/ || { echo "generated files are stale: run go generate ./... and commit"; exit 1; }

echo "== gofmt, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go'))
[ -z "$unformatted" ] || { echo "gofmt would change: $unformatted"; exit 1; }
go vet ./...

echo "== go test -race"
go test -race -count=1 ./...
