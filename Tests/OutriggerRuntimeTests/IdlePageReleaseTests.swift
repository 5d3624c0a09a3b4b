import CProcessMemory
@testable import OutriggerRuntime
import Testing

@Suite("Pages released when the sidecar falls idle")
struct IdlePageReleaseTests {
    @Test("a quiet interval after a busy one releases, once; quiet after quiet and busy intervals do not")
    func detector() {
        var detector = IdlePageRelease.Detector(threshold: .milliseconds(10))
        let used: [Duration] = [.milliseconds(300), .milliseconds(2), .milliseconds(1), .zero, .milliseconds(10), .milliseconds(50), .milliseconds(9), .milliseconds(3)]
        let releases = used.map { detector.observe(used: $0) }
        // Start-up (busy), quiet: release; quiet, quiet: nothing; at the threshold and over: busy; quiet: release; quiet: nothing.
        #expect(releases == [false, true, false, false, false, false, true, false])
    }

    @Test("start-up counts as busy: the first quiet interval releases")
    func firstQuietInterval() {
        var detector = IdlePageRelease.Detector(threshold: .milliseconds(10))
        let first = detector.observe(used: .zero)
        let second = detector.observe(used: .zero)
        #expect(first)
        #expect(!second)
    }

    @Test("the release unmaps the executable's code and constants, and code runs on after it")
    func release() {
        let before = outrigger_resident_readonly_bytes()
        #expect(before > 1 << 20, "this test process has run megabytes of its code: \(before) bytes mapped")
        let reported = outrigger_release_idle_pages()
        let after = outrigger_resident_readonly_bytes()
        #expect(reported >= before / 2, "the release reports what was mapped: \(reported) of \(before) bytes")
        #expect(after < before / 2, "not released: \(before) → \(after) bytes")
        // Constants and code come back on use: a sort and a formatted string after the release.
        let words = ["delta", "alpha", "charlie", "bravo"].sorted()
        #expect("\(words) \(3.25)" == #"["alpha", "bravo", "charlie", "delta"] 3.25"#)
        #expect(outrigger_resident_readonly_bytes() > after)
    }

    @Test("the process's CPU time grows with work")
    func cpuTime() {
        let start = IdlePageRelease.processCPUTime()
        var sum = 0
        for index in 0..<5_000_000 { sum &+= index &* index }
        #expect(sum != 0)
        #expect(IdlePageRelease.processCPUTime() > start)
    }
}
