import Foundation

/// A launched program, spawned with default signal handling.
///
/// The sidecar ignores SIGTERM and SIGINT itself (ServiceLifecycle handles them), and ignored
/// signals are inherited across exec; spawning with `POSIX_SPAWN_SETSIGDEF` gives the app the
/// default actions back, so a plain app still stops on SIGTERM.
struct ChildProcess: Sendable {
    let pid: pid_t

    struct LaunchError: Error, CustomStringConvertible {
        var command: String
        var code: Int32
        var description: String { "cannot launch '\(command)': \(String(cString: strerror(code)))" }
    }

    /// Starts `arguments[0]` (looked up in `PATH`) with `environment`.
    static func launch(_ arguments: [String], environment: [String: String]) throws -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], nil, &attributes, argv, envp)
        guard result == 0 else { throw LaunchError(command: arguments.joined(separator: " "), code: result) }
        return ChildProcess(pid: pid)
    }

    /// Waits for the program to end; returns its exit status, or 128 + the signal that ended it.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
        }
    }

    /// True while the program has not been reaped.
    var isRunning: Bool { kill(pid, 0) == 0 }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }
}
