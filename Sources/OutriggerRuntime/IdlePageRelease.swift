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
/// Idle is measured, not guessed: once a second the process's CPU time and page faults are read
/// (`getrusage`); a second under `threshold` of CPU, once `faultsToRelease` faults have mapped
/// pages since the last release, starts one. Start-up's faults count, so the first quiet second
/// releases what it mapped; a second in which a starved process got no CPU looks quiet too, and
/// the faults of what runs after it lead to the next release. Nothing on the request path
/// counts anything. docs/development.md, Footprint, has the figures.
struct IdlePageRelease: Service {
    /// Decides, one interval at a time, whether to release now.
    struct Detector {
        let threshold: Duration
        let faultsToRelease: Int
        private var faultsSinceRelease = 0

        init(threshold: Duration, faultsToRelease: Int) {
            self.threshold = threshold
            self.faultsToRelease = faultsToRelease
        }

        /// `used` and `faults`: the process's CPU time and page faults over the last interval.
        /// True when the pages should be released now: the interval was quiet, and enough
        /// pages were mapped since the last release.
        mutating func observe(used: Duration, faults: Int) -> Bool {
            faultsSinceRelease += faults
            guard used < threshold, faultsSinceRelease >= faultsToRelease else { return false }
            faultsSinceRelease = 0
            return true
        }
    }

    var interval: Duration = .seconds(1)
    /// 1 % of a core over the interval.
    var threshold: Duration = .milliseconds(10)
    /// With fault-around a fault maps up to 64 KB of code: 64 of them, a few megabytes.
    var faultsToRelease = 64
    let logger: Logger

    func run() async throws {
        var detector = Detector(threshold: threshold, faultsToRelease: faultsToRelease)
        // From zero: the first interval counts all of start-up.
        var last = Usage(cpu: .zero, faults: 0)
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            var now = Usage.current()
            defer { last = now }
            guard detector.observe(used: now.cpu - last.cpu, faults: now.faults - last.faults) else { continue }
            // The pagemap scans are for the log line alone.
            let logging = logger.logLevel <= .debug
            let mapped = outrigger_release_idle_pages(logging ? 1 : 0)
            if logging {
                logger.debug("idle: unmapped the code and constants the busy spell mapped", metadata: [
                    "mapped-kb": "\(mapped / 1024)", "still-mapped-kb": "\(outrigger_resident_readonly_bytes() / 1024)",
                ])
            }
            // Read again after the release, whose own work and faults are not the app's.
            now = Usage.current()
        }
    }

    /// The process's CPU time (user and system, every thread) and page faults so far.
    struct Usage {
        var cpu: Duration
        var faults: Int

        static func current() -> Usage {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let microseconds = Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
                + Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
            return Usage(cpu: .microseconds(microseconds), faults: usage.ru_minflt + usage.ru_majflt)
        }
    }
}
