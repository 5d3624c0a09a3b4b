import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process a test awaits without holding a thread.
///
/// Foundation's `waitUntilExit` blocks its caller, and a test runs on Swift's cooperative pool,
/// which has one thread per core: on a 2-core box two tests waiting for `openssl` or a compiler
/// stop every other test's task, and timeouts elsewhere then fire for no fault of their own.
/// Here the exit is reported by Foundation's termination handler and resumes the waiting tasks.
public final class AwaitableProcess: @unchecked Sendable {
    /// The underlying process, already running; configure nothing on it after launch.
    public let process: Process
    private let exit: ExitState

    /// Launches a configured (not yet running) process.
    public init(launching process: Process) throws {
        let exit = ExitState()
        process.terminationHandler = { exit.finish($0.terminationStatus) }
        self.process = process
        self.exit = exit
        try ProcessLaunch.run(process)
    }

    /// Launches `executable` with its output and errors discarded (or sent where given).
    public convenience init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        output: FileHandle? = .nullDevice, errors: FileHandle? = .nullDevice
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = output
        process.standardError = errors
        try self.init(launching: process)
    }

    public var pid: Int32 { process.processIdentifier }

    /// The exit status (or terminating signal) once the process is gone; nil while it runs.
    public var status: Int32? { exit.status }

    public var isRunning: Bool { exit.status == nil }

    /// Waits for the process to end and returns its exit status (or terminating signal).
    @discardableResult
    public func exited() async -> Int32 { await exit.wait() }

    /// Sends `signal` (SIGKILL unless told) and waits for the process to end.
    @discardableResult
    public func kill(_ signal: Int32 = SIGKILL) async -> Int32 {
        if isRunning { _ = Glibc.kill(pid, signal) }
        return await exited()
    }

    /// Sends `signal` to the process group the child leads (Foundation starts each child as
    /// the leader of a group of its own) and waits for the child to end.
    @discardableResult
    public func killGroup(_ signal: Int32 = SIGKILL) async -> Int32 {
        if isRunning { _ = Glibc.kill(-pid, signal) }
        return await exited()
    }

    /// Runs `executable` to its end and returns its exit status.
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil
    ) async throws -> Int32 {
        try await AwaitableProcess(executable, arguments, environment: environment).exited()
    }
}

private final class ExitState: Sendable {
    private enum State {
        case running([CheckedContinuation<Int32, Never>])
        case exited(Int32)
    }

    private let state = Mutex(State.running([]))

    var status: Int32? {
        state.withLock {
            if case let .exited(status) = $0 { return status }
            return nil
        }
    }

    func finish(_ status: Int32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int32, Never>] in
            guard case let .running(waiters) = state else { return [] }
            state = .exited(status)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = state.withLock { state -> Int32? in
                switch state {
                case let .exited(status):
                    return status
                case var .running(waiters):
                    waiters.append(continuation)
                    state = .running(waiters)
                    return nil
                }
            }
            if let status { continuation.resume(returning: status) }
        }
    }
}
