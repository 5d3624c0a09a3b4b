import Synchronization

/// Readiness as the health endpoints report it.
///
/// `outboundReady` turns true once components are loaded (the app may publish);
/// `ready` once the app is connected and every subscription is live.
public final class SidecarStatus: Sendable {
    private struct State {
        var outboundReady = false
        var ready = false
    }

    private let state = Mutex(State())

    public init() {}

    public var outboundReady: Bool { state.withLock { $0.outboundReady } }
    public var ready: Bool { state.withLock { $0.ready } }

    public func markOutboundReady() { state.withLock { $0.outboundReady = true } }
    public func markReady() { state.withLock { $0.ready = true; $0.outboundReady = true } }
    /// At shutdown the sidecar stops reporting healthy so orchestrators stop routing to it.
    public func markStopping() { state.withLock { $0.ready = false } }
}
