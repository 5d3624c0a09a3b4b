import Foundation

/// A launched program, spawned with default signal handling and no descriptor of ours but its
/// standard input, output and error.
///
/// The sidecar ignores SIGTERM and SIGINT itself (ServiceLifecycle handles them), and ignored
/// signals are inherited across exec; spawning with `POSIX_SPAWN_SETSIGDEF` gives the app the
/// default actions back, so a plain app still stops on SIGTERM.
///
/// Descriptors from 3 up are closed in the child: the C clients (hiredis, libmosquitto, ...)
/// open their sockets without close-on-exec, and an app that inherited them kept the sidecar's
/// broker connections and its gRPC listening socket open: a connection the sidecar closed
/// stayed up at the broker, and the port stayed taken after the sidecar exited, for as long as
/// the app ran.
public struct ChildProcess: Sendable {
    public let pid: pid_t

    struct LaunchError: Error, CustomStringConvertible {
        var command: String
        var code: Int32
        var description: String { "cannot launch '\(command)': \(String(cString: strerror(code)))" }
    }

    /// Starts `arguments[0]` (looked up in `PATH`) with `environment`.
    ///
    /// - Parameters:
    ///   - directory: the working directory; `nil` keeps this process's.
    ///   - output: a file descriptor that becomes the program's standard output and error.
    ///   - ownProcessGroup: start a process group of its own, so a Ctrl-C in the terminal reaches
    ///     only this process, which then stops the program in its own order.
    public static func launch(
        _ arguments: [String], environment: [String: String], directory: String? = nil, output: Int32? = nil,
        ownProcessGroup: Bool = false
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let output {
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        closeInheritedDescriptors(&actions)
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
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if ownProcessGroup {
            flags |= POSIX_SPAWN_SETPGROUP
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        // glibc's posix_spawn_file_actions_addchdir_np is not visible to Swift: a shell changes
        // directory and then becomes the program (found on the program's own PATH).
        let arguments = directory.map { ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, $0] + arguments } ?? arguments
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw LaunchError(command: arguments.joined(separator: " "), code: result) }
        return ChildProcess(pid: pid)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+; Swift's Glibc module does not
    /// declare it), looked up once.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }  // nil: RTLD_DEFAULT
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Closes every descriptor from 3 up in the child: at once in the child with glibc 2.34+,
    /// else one close action per descriptor open now (one opened meanwhile is inherited).
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let addCloseFrom, addCloseFrom(&actions, 3) == 0 { return }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 && fcntl(descriptor, F_GETFD) != -1 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    /// Waits for the program to end; returns its exit status, or 128 + the signal that ended it.
    public func waitForExit() async -> Int32 {
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
    public var isRunning: Bool { kill(pid, 0) == 0 }

    /// True once the program has ended, reaped or not (a zombie still answers `kill(pid, 0)`);
    /// reaping stays with ``waitForExit()``.
    public var hasEnded: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: end)...].split(separator: " ").first == "Z"
    }

    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }
}
