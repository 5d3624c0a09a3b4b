#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets of fuzz/ with the fuzzer and address sanitizers, then
# runs each for FUZZ_SECONDS (default 60). Fails when a target crashes, traps, runs out of memory
# or takes longer than FUZZ_TIMEOUT seconds (default 10) on one input.
#
#   FUZZ_SECONDS=600 make fuzz                       # longer runs
#   FUZZ_TARGETS="FuzzRouteMatch FuzzBulkPublish" make fuzz
#   .build-fuzz/release/FuzzCloudEvent CRASH_FILE     # replay one input
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
seconds="${FUZZ_SECONDS:-60}"
timeout="${FUZZ_TIMEOUT:-10}"
targets="${FUZZ_TARGETS:-FuzzCloudEvent FuzzResourceYAML FuzzRouteMatch FuzzBulkPublish}"
scratch=.build-fuzz

# `--sanitize=fuzzer` tells SwiftPM the executables get libFuzzer's `main`; the Swift driver keeps
# only the last `-sanitize=` it is given, so address is added in the same list after it.
(cd fuzz && swift build -c release --scratch-path "../$scratch" --sanitize=fuzzer \
    -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address)

# Swift's own crash reporter would race libFuzzer's handler and hold the process for seconds;
# LeakSanitizer counts the runtime's lifelong caches as leaks.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

failed=()
for target in $targets; do
    work="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target/"
    mkdir -p "$work" "$artifacts"
    echo "== $target: ${seconds}s, seeds in fuzz/corpus/$target"
    # New inputs go to the first folder (under .build-fuzz); the committed seeds are only read.
    if "$scratch/release/$target" "$work" "fuzz/corpus/$target" \
        -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -max_len=16384 \
        -artifact_prefix="$artifacts" -print_final_stats=1 2>"$scratch/$target.log"; then
        grep -E '^(#[0-9]+.*DONE|Done [0-9]+ runs|stat::number_of_executed_units)' "$scratch/$target.log" | tail -1 || true
    else
        failed+=("$target")
        grep -E 'ERROR: libFuzzer|SUMMARY|Fatal error|==ERROR|Test unit written' "$scratch/$target.log" | head -8 || true
        echo "   full log: $scratch/$target.log"
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"
    echo "Replay an input with: $scratch/release/TARGET FILE; add it to fuzz/corpus/TARGET once fixed."
    exit 1
fi
echo "fuzz: every target ran ${seconds}s without a crash or hang"
