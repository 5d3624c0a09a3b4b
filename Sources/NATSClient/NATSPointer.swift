import CNats

#if canImport(Glibc)
import Glibc
#endif

/// A libnats object (`natsConnection`, `jsCtx`, `natsSubscription`, `natsMsg`) passed between
/// threads: the one `@unchecked Sendable` wrapper of this module.
///
/// Safe because libnats guards every one of these objects with its own lock and documents its
/// calls as callable from any thread, and because each pointer is owned by exactly one
/// `final class` of this module (``NATSConnection``, ``JetStreamSubscription``,
/// ``JetStreamMessage``) that frees it in `deinit`, when nothing can use it any more.
struct NATSPointer: @unchecked Sendable {
    let raw: OpaquePointer
}

/// C strings that live until the bag is freed: for libnats configuration structs whose string
/// fields must stay valid during a call.
final class CStringBag {
    private var strings: [UnsafeMutablePointer<CChar>] = []

    /// A copy of `string` owned by the bag; `nil` for `nil` or empty.
    func add(_ string: String?) -> UnsafePointer<CChar>? {
        guard let string, !string.isEmpty, let copy = strdup(string) else { return nil }
        strings.append(copy)
        return UnsafePointer(copy)
    }

    deinit {
        for string in strings { free(string) }
    }
}
