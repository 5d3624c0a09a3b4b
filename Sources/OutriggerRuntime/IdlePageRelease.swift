import CProcessMemory
import Glibc
import Logging
import ServiceLifecycle

/// Gives back the pages a busy spell mapped once the sidecar falls idle: the executable's code
/// and constants are unmapped and freed heap is returned to the kernel
/// (`outrigger_release_idle_pages`). Start-up is the first busy spell: reading the resources,
/// building the components and wiring the servers ran once, and without this their pages would
/// stay in the sidecar's resident set for its whole life. The pages stay in the page cache, and
/// the next request maps back the ones it runs (minor faults; the release link puts the code
/// that serves ahead of the code that only starts, scripts/startup-order.sh, so they are few).
///
/// Idle is measured, not guessed: the process's CPU time is read once a second, and a second
/// under `threshold` after one over it starts a release. Nothing on the request path counts
/// anything. docs/development.md, Footprint, has the figures.
struct IdlePageRelease: Service {
    /// Decides, one interval at a time, whether the sidecar has just fallen idle.
    struct Detector {
        let threshold: Duration
        /// Start-up is busy: the first quiet interval releases what it mapped.
        private var busySinceRelease = true

        init(threshold: Duration) { self.threshold = threshold }

        /// `used`: the process's CPU time over the last interval. True when the pages should be
        /// released now: this interval was quiet and one since the last release was not.
        mutating func observe(used: Duration) -> Bool {
            if used >= threshold {
                busySinceRelease = true
                return false
            }
            defer { busySinceRelease = false }
            return busySinceRelease
        }
    }

    var interval: Duration = .seconds(1)
    /// 1 % of a core over the interval.
    var threshold: Duration = .milliseconds(10)
    let logger: Logger

    func run() async throws {
        var detector = Detector(threshold: threshold)
        // From zero: the first interval counts all of start-up, however little is left of it.
        var last = Duration.zero
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            if detector.observe(used: Self.processCPUTime() - last) {
                let mapped = outrigger_release_idle_pages()
                if logger.logLevel <= .debug {
                    logger.debug("idle: unmapped the code and constants the busy spell mapped", metadata: [
                        "mapped-kb": "\(mapped / 1024)", "still-mapped-kb": "\(outrigger_resident_readonly_bytes() / 1024)",
                    ])
                }
            }
            // Read after the release, whose own work is not the app's.
            last = Self.processCPUTime()
        }
    }

    /// User and system time of every thread of the process so far.
    static func processCPUTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
    }
}
