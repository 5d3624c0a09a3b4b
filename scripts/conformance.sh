#!/usr/bin/env bash
# `make conformance [COMPONENT=type]`: the conformance suite alone, optionally for one component.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
if [ -n "${1:-}" ]; then export OUTRIGGER_CONFORMANCE_COMPONENT="$1"; fi
swift test --filter ConformanceTests
