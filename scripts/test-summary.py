#!/usr/bin/env python3
"""Prints `make test`'s closing line, "N passed, N failed, N skipped", from swift-testing's
JSON event stream (`swift test --event-stream-output-path FILE --event-stream-version 0`).

Why the event stream and not the console: swift-testing's console summary counts a parameterized
test once however many cases it has, and prints nothing for a test case ended with
`Test.cancel()`; the conformance suite runs one test case per component profile and cancels the
case of a profile whose broker does not answer. The stream reports `testCaseCancelled` per case.

Units: a test without arguments counts once; a parameterized test counts once per test case.
A unit is skipped when it was cancelled or disabled (never counted as passed), failed when an
issue that is not a known issue was recorded in it or when it started and never ended (the
bundle crashed), passed otherwise. Test cases are told apart by the stream's `_testCase.id`;
if a future stream lacks it, each test counts once. A run that exited non-zero never reports
0 failed.

Usage: test-summary.py EVENTS.jsonl [EXIT_STATUS]
"""
import json
import sys


def summarize(lines):
    parameterized = {}
    ended = set()
    units = {}  # (test id, case id or None) -> "passed" | "failed" | "skipped"

    def mark(key, outcome):
        if outcome == "failed" or units.get(key) in (None, "passed"):
            units[key] = outcome

    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        payload = record.get("payload", {})
        if record.get("kind") == "test":
            if payload.get("kind") == "function":
                parameterized[payload["id"]] = bool(payload.get("isParameterized"))
            continue
        kind, test = payload.get("kind"), payload.get("testID")
        if test not in parameterized:
            continue  # suites and run-level events
        case = (payload.get("_testCase") or {}).get("id") if parameterized[test] else None
        key = (test, case)
        if kind in ("testStarted", "testCaseStarted"):
            if kind == "testStarted" and parameterized[test]:
                continue  # its cases are the units
            mark(key, "passed")
        elif kind in ("testSkipped", "testCancelled", "testCaseCancelled"):
            if kind == "testCancelled" and parameterized[test]:
                for other in [k for k in units if k[0] == test]:
                    mark(other, "skipped")
            mark(key, "skipped")
        elif kind == "issueRecorded" and not payload.get("issue", {}).get("isKnown", False):
            units[key] = "failed"  # outside any case of a parameterized test: a unit of its own
        elif kind == "testCaseEnded":
            ended.add(key)
        elif kind == "testEnded":
            ended.update(k for k in units if k[0] == test)
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for key, outcome in units.items():
        counts["failed" if outcome == "passed" and key not in ended else outcome] += 1
    return counts


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as events:
        counts = summarize(events)
    if len(sys.argv) > 2 and sys.argv[2] != "0" and counts["failed"] == 0:
        counts["failed"] = 1
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
