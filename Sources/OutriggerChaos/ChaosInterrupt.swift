#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (or SIGTERM) of the runner: kills the brokers and sidecars it started, then exits,
/// so an interrupted run leaves no private broker behind.
///
/// A handler, not `SIG_IGN` plus a dispatch source: an ignored signal stays ignored across
/// `exec`, and the brokers and sidecars would then ignore the SIGTERM of the faults.
public enum ChaosInterrupt {
    /// Installs the handlers; call once, before the first scenario.
    public static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { _ in
                ChildProcess.killAll()
                _exit(130)
            }
        }
    }
}
