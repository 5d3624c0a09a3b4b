import CProcessMemory
@testable import OutriggerRuntime
import Testing

@Suite("Pages released when the sidecar falls idle")
struct IdlePageReleaseTests {
    @Test("a quiet interval releases once enough faults mapped pages since the last release; a busy one never does")
    func detector() {
        var detector = IdlePageRelease.Detector(threshold: .milliseconds(10), faultsToRelease: 64)
        let intervals: [(Duration, Int)] = [
            (.milliseconds(300), 5_000),  // start-up: busy, nothing released
            (.milliseconds(2), 40),  // quiet, start-up's faults: release
            (.milliseconds(1), 30),  // quiet, 30 faults since: keep
            (.zero, 20),  // quiet, 50 since: keep
            (.milliseconds(10), 200),  // at the threshold: busy
            (.milliseconds(9), 0),  // quiet, 250 since: release
            (.milliseconds(3), 0),  // nothing mapped since: keep
            (.milliseconds(1), 64),  // 64 faults while quiet (a starved start-up): release
        ]
        let releases = intervals.map { detector.observe(used: $0.0, faults: $0.1) }
        #expect(releases == [false, true, false, false, false, true, false, true])
    }

    @Test("a quiet first interval releases start-up's pages")
    func firstQuietInterval() {
        var detector = IdlePageRelease.Detector(threshold: .milliseconds(10), faultsToRelease: 64)
        let first = detector.observe(used: .milliseconds(5), faults: 3_000)
        let second = detector.observe(used: .zero, faults: 10)
        #expect(first)
        #expect(!second)
    }

    @Test("the release unmaps the executable's code and constants, and code runs on after it")
    func release() {
        let before = outrigger_resident_readonly_bytes()
        #expect(before > 1 << 20, "this test process has run megabytes of its code: \(before) bytes mapped")
        let reported = outrigger_release_idle_pages(1)
        let after = outrigger_resident_readonly_bytes()
        #expect(reported >= before / 2, "the release reports what was mapped: \(reported) of \(before) bytes")
        #expect(after < before / 2, "not released: \(before) → \(after) bytes")
        // Constants and code come back on use: a sort and a formatted string after the release.
        let words = ["delta", "alpha", "charlie", "bravo"].sorted()
        #expect("\(words) \(3.25)" == #"["alpha", "bravo", "charlie", "delta"] 3.25"#)
        #expect(outrigger_resident_readonly_bytes() > after)
    }

    @Test("the process's CPU time grows with work, and its faults with memory first touched")
    func usage() {
        let start = IdlePageRelease.Usage.current()
        var sum = 0
        for index in 0..<5_000_000 { sum &+= index &* index }
        #expect(sum != 0)
        let pages = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 << 20, alignment: 4096)
        defer { pages.deallocate() }
        for offset in stride(from: 0, to: pages.count, by: 4096) { pages[offset] = 1 }
        let end = IdlePageRelease.Usage.current()
        #expect(end.cpu > start.cpu)
        #expect(end.faults - start.faults >= 64, "8 MB first touched: \(end.faults - start.faults) faults")
    }
}
