#!/usr/bin/env bash
# Performance regression guard, for CI: a few seconds of GetUser against
# chimed and against a bare net/http baseline, alternating, in the same run
# (cmd/chimebench). It fails when chimed's throughput falls below FLOOR
# times the baseline's.
#
# The ratio, not a request rate, is what is checked: both servers share the
# machine with the client and with whatever else runs, so a busy machine
# slows both. The floor sits well under the ratios measured on the 2-core
# CI machine (see the README's Performance section), so that only a real
# regression (say, a statement no longer using its index, or a lock held
# across a request) trips it; CHIMED_BENCH_FLOOR overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."

floor=${CHIMED_BENCH_FLOOR:-0.35}
echo "== benchmark guard: GetUser at 1k users, chimed/baseline ratio must be at least $floor"
go run ./cmd/chimebench --scale 1k --workloads GetUser --clients 16 --duration 4s --rounds 4 --warmup 500ms --min-ratio "$floor"
