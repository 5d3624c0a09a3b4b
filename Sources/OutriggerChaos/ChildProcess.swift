import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process of the runner (a broker or a sidecar), its output appended to a log file.
///
/// Spawned with `posix_spawn`, an empty signal mask and default signal handlers, as the leader
/// of a process group of its own: a child inheriting a blocked SIGTERM from the runner's
/// threads would never stop on the SIGTERM of a fault (mosquitto did, and was then killed
/// without saving its store), and the group lets ``signal(_:group:)`` reach helpers too
/// (RabbitMQ's beam). Every child still running is killed when the runner is interrupted.
final class ChildProcess: Sendable {
    /// The child's process id.
    let pid: pid_t
    /// The log file the child writes to.
    let logPath: String
    private let exited = Atomic(false)
    private static let running = Mutex<Set<pid_t>>([])

    /// Starts `executable` with `arguments` and `environment` (nil: the runner's own).
    init(executable: String, arguments: [String], environment: [String: String]? = nil, logPath: String) throws {
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environmentList = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in environmentList ?? [] { free(pointer) } }
        var child: pid_t = 0
        let code = environmentList.map { list in posix_spawn(&child, executable, &actions, &attributes, argv, list) }
            ?? posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard code == 0 else { throw ChaosError("cannot start \(executable): \(String(cString: strerror(code)))") }
        pid = child
        Self.running.withLock { _ = $0.insert(child) }
    }

    /// False once the child exited (and was reaped).
    var isRunning: Bool {
        if exited.load(ordering: .acquiring) { return false }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return true }
        exited.store(true, ordering: .releasing)
        Self.running.withLock { _ = $0.remove(pid) }
        return false
    }

    /// Sends `signal` to the child, or to its whole process group with `group`.
    func signal(_ signal: Int32, group: Bool = false) {
        guard isRunning else { return }
        kill(group ? -pid : pid, signal)
    }

    /// Waits up to `limit` for the child to exit; returns whether it did.
    @discardableResult
    func waitForExit(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
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
