#!/usr/bin/env bash
# Builds release products the way the benchmarks measure them, into .build/packed/release/:
# every Swift and C module compiled with a section per function, so the link's symbol ordering
# (scripts/startup-order.txt, Package.swift) packs the code a sidecar runs into a few megabytes
# instead of spreading it over every file it came from (docs/development.md, Footprint).
#
# A scratch path of its own, because SwiftPM does not rebuild a package's dependencies when
# -Xswiftc flags change: the same flags on .build would leave most modules without them.
#   scripts/release-build.sh outrigger [outrigger-ceilings ...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || set -- outrigger
for product in "$@"; do
  # swiftc takes -function-sections only as a frontend flag (the driver form makes SwiftPM 6.3
  # crash on the next build). The last line on success; the compiler's errors on failure.
  if ! output=$(swift build -c release --scratch-path .build/packed --product "$product" \
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections 2>&1); then
    echo "$output" | grep -E 'error:|warning: .*failed' | head -40 >&2 || true
    echo "$output" | tail -5 >&2
    exit 1
  fi
  echo "$output" | tail -1
done
