#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one, as servers do at start: every client connection,
    /// broker connection and app connection is a descriptor, and the soft limit many systems
    /// start with (1024) would refuse connections long before memory runs out. Failing to raise
    /// it is not fatal; the sidecar runs with what it has.
    static func raiseToHardLimit() {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }
}
