#!/usr/bin/env bash
# `make conformance [COMPONENT=type]`: the conformance suite alone, optionally for one component.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
if [ -n "${1:-}" ]; then export OUTRIGGER_CONFORMANCE_COMPONENT="$1"; fi
# Tests and the sidecar binary in one build (building tests recompiles with testability).
swift build --build-tests
set +e
swift test --skip-build --filter ConformanceTests 2>&1 | tee .build/conformance-output.log
status=${PIPESTATUS[0]}
set -e
# A COMPONENT that names no profile fails the suite's filter test, whose message lists the
# profiles; repeat it last so it is not lost in the output.
grep -aoE 'COMPONENT=.* matches no profile.*' .build/conformance-output.log | head -1 || true
exit "$status"
