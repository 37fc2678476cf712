#!/usr/bin/env bash
# Release builds: static pure-Go binaries for linux/amd64 and linux/arm64.
#   bash scripts/release.sh v1.0.0     → dist/chimed-v1.0.0-linux-{amd64,arm64}
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/release.sh VERSION}
mkdir -p dist
for arch in amd64 arm64; do
  out="dist/chimed-$version-linux-$arch"
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath \
    -ldflags "-s -w -X github.com/chimed/chimed/internal/server.version=$version" -o "$out" ./cmd/chimed
  echo "$out"
done
