import Foundation
import Testing

/// When the sidecar falls idle it unmaps the pages of its executable's code and constants
/// (Sources/OutriggerRuntime/IdlePageRelease.swift): what start-up ran leaves the resident set,
/// serving maps back what it uses, and the next idle spell unmaps that again.
@Suite("Pages released when idle", .timeLimit(.minutes(3)))
struct IdlePagesTests {
    /// Kilobytes of `pid`'s executable mapped from the file in its mappings that are not
    /// writable (`/proc/PID/smaps`: Rss less the copied-on-write pages).
    static func readonlyFilePagesKB(_ pid: Int32) throws -> Int {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
        let smaps = try String(contentsOfFile: "/proc/\(pid)/smaps", encoding: .utf8)
        var total = 0
        var counting = false
        var rss = 0
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), fields.count >= 5, !first.hasSuffix(":") {
                counting = fields.count >= 6 && fields[5...].joined(separator: " ") == executable && !fields[1].contains("w")
            } else if counting, fields.count == 3, fields[0] == "Rss:", let kb = Int(fields[1]) {
                rss = kb
            } else if counting, fields.count == 3, fields[0] == "Anonymous:", let kb = Int(fields[1]) {
                total += rss - kb
            }
        }
        return total
    }

    /// The release log lines so far, each as the kilobytes mapped when it began.
    static func releases(in logs: String) -> [Int] {
        logs.split(separator: "\n").filter { $0.contains("idle: unmapped") }.compactMap { line in
            line.firstMatch(of: /mapped-kb\D*(\d+)/).flatMap { Int($0.1) }
        }
    }

    @Test("start-up's code and constants are unmapped once idle; serving maps pages back, and the next idle spell unmaps them")
    func released() async throws {
        try await withSidecar(SidecarOptions(extraArguments: ["--log-level", "debug"], connectApp: false)) { sidecar, _ in
            // A second the sidecar was starved of CPU looks quiet too, and may release while
            // start-up still runs; the next quiet second releases again. So wait for the
            // outcome: start-up's pages unmapped.
            let (mappedAtStart, mappedIdle) = try await poll(for: .seconds(45), "the sidecar to release start-up's pages") { () throws -> (Int, Int)? in
                guard let peak = Self.releases(in: sidecar.logs).max() else { return nil }
                let mapped = try Self.readonlyFilePagesKB(sidecar.pid)
                return mapped < peak / 2 ? (peak, mapped) : nil
            }
            #expect(mappedAtStart > 1024, "start-up ran more than a megabyte of code and constants")

            // A busy spell: 200 publishes, 20 at a time.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<20 {
                    group.addTask {
                        for index in 0..<10 {
                            let response = try await sidecar.publish(topic: "pages", json: #"{"n": \#(worker * 10 + index)}"#)
                            #expect(response.status == 204, "\(response.text)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let mappedServing = try Self.readonlyFilePagesKB(sidecar.pid)
            #expect(mappedServing > mappedIdle, "serving maps the pages it runs")

            try await poll(for: .seconds(45), "the sidecar to release serving's pages: \(mappedServing) KB mapped after the publishes") {
                try Self.readonlyFilePagesKB(sidecar.pid) < mappedServing / 2 ? true : nil
            }
            #expect(Self.releases(in: sidecar.logs).count >= 2, "released at least after start-up and after the publishes")
        }
    }
}
