import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process of the runner (a broker or a sidecar), its output appended to a log file.
/// Foundation starts it as the leader of a process group of its own, so ``signal(_:)`` can
/// reach its helpers too (RabbitMQ's beam). Every child still running is killed when the
/// runner is interrupted (``ChildProcess/killAll()``).
final class ChildProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init; Process itself is thread-safe for these calls.
    private let process = Process()
    /// The log file the child writes to.
    let logPath: String
    private static let running = Mutex<Set<Int32>>([])

    /// Starts `executable` with `arguments` and `environment` (nil: the runner's own).
    init(executable: String, arguments: [String], environment: [String: String]? = nil, logPath: String) throws {
        self.logPath = logPath
        if !FileManager.default.fileExists(atPath: logPath) {
            FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        let pid = process.processIdentifier
        Self.running.withLock { _ = $0.insert(pid) }
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the child, or to its whole process group with `group`.
    func signal(_ signal: Int32, group: Bool = false) {
        guard process.isRunning else { return }
        kill(group ? -process.processIdentifier : process.processIdentifier, signal)
    }

    /// Waits up to `limit` for the child to exit; returns whether it did.
    @discardableResult
    func waitForExit(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let pid = process.processIdentifier
        Self.running.withLock { _ = $0.remove(pid) }
        return true
    }

    /// `kill -9` (of the process group with `group`) and waits for the exit.
    func kill9(group: Bool = false) async {
        signal(SIGKILL, group: group)
        await waitForExit(within: .seconds(30))
    }

    /// SIGTERM, then SIGKILL when it has not exited within `grace`; returns whether it exited
    /// of its own accord.
    @discardableResult
    func terminate(grace: Duration, group: Bool = false) async -> Bool {
        signal(SIGTERM, group: group)
        if await waitForExit(within: grace) { return true }
        await kill9(group: group)
        return false
    }

    /// Kills every child still running (process groups included); for an interrupted runner.
    static func killAll() {
        for pid in running.withLock({ $0 }) {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
    }
}
