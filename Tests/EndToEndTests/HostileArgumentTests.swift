import Testing

/// Command-line values that are numbers but not durations a sidecar could use.
@Suite("Hostile command-line values", .timeLimit(.minutes(1)))
struct HostileArgumentTests {
    @Test("a duration flag of 1e300, nan or inf seconds is a usage error, not a crash", arguments: [
        ["--drain-timeout", "1e300"], ["--app-startup-timeout", "nan"], ["--http-read-timeout", "inf"], ["--http-read-timeout", "0"],
    ])
    func hugeDurations(flag: [String]) async throws {
        let result = try await SidecarProcess.runToExit(["run", "--app-id", "args"] + flag)
        #expect(result.status == 64, "\(flag): status \(result.status)\n\(result.stderr)")
        #expect(result.stderr.contains(flag[0]), "\(flag): \(result.stderr)")
    }
}
