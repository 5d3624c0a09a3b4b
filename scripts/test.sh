#!/usr/bin/env bash
# `make test`: start the brokers the conformance suite needs (leaving running ones alone), build,
# run every test target, then stop only the brokers this run started.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

started_brokers=0
stop_brokers() {
  if ((started_brokers)); then conformance/brokers.sh down || true; fi
}
trap stop_brokers EXIT

if [ "${OUTRIGGER_SKIP_BROKERS:-}" != "1" ]; then
  # `up` leaves brokers that already answer alone and `down` stops only what `up` started.
  conformance/brokers.sh up
  started_brokers=1
fi

# One build of everything, tests included: a plain `swift build` first would compile every module
# twice, since building the tests turns on testability and recompiles what it built.
swift build --build-tests
# Tests talk to the sidecar binary built above and to the brokers on their standard ports.
# swift-testing also writes its JSON event stream, from which the closing line is counted.
events=.build/test-events.jsonl
heavy_events=.build/test-events-heavy.jsonl
rm -f "$events" "$heavy_events"
# Suites that load the whole machine (the chaos smoke run, 10,000 connections, slow clients,
# 100 MB bodies) run after the rest and one at a time, so their load does not stretch the
# wall-clock bounds of tests running beside them on a 2-core box.
heavy='ChaosSmokeTests|ConnectionLoadTests|SlowClientTests|BodyLimitMemoryTests'
set +e
swift test --skip-build --skip "$heavy" --event-stream-output-path "$events" --event-stream-version 0 2>&1 | tee .build/test-output.log
status=${PIPESTATUS[0]}
swift test --skip-build --no-parallel --filter "$heavy" --event-stream-output-path "$heavy_events" --event-stream-version 0 2>&1 | tee -a .build/test-output.log
heavy_status=${PIPESTATUS[0]}
set -e
if [ "$status" -eq 0 ]; then status=$heavy_status; fi
cat "$heavy_events" >> "$events" 2>/dev/null || true
# One plain closing line for CI: "N passed, N failed, N skipped". Skipped tests (a conformance
# profile whose broker does not answer, a disabled test) are never counted as passed; see
# scripts/test-summary.py for why the event stream and not the console summary.
if [ -s "$events" ]; then
  python3 scripts/test-summary.py "$events" "$status"
else
  # No event stream (the test bundle did not start): fall back to swift-testing's summary line.
  summary=$(grep -aE 'Test run with [0-9]+ tests' .build/test-output.log | tail -1 || true)
  total=$(sed -nE 's/.*Test run with ([0-9]+) tests.*/\1/p' <<<"$summary")
  issues=$(sed -nE 's/.*with ([0-9]+) issues?\..*/\1/p' <<<"$summary")
  if [ -n "$total" ]; then
    failed=0
    if [ "$status" -ne 0 ]; then failed=$(( ${issues:-1} < total ? ${issues:-1} : total )); fi
    echo "$((total - failed)) passed, $failed failed"
  fi
fi
exit "$status"
