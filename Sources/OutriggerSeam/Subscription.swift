/// A live subscription (or input binding read), stopped in two phases.
///
/// ``stopPulling()`` returns at once: nothing more is read from the broker or started.
/// ``finish()`` waits until the handlers in flight have finished and their messages are
/// settled. At shutdown every subscription stops pulling first, all at once, and only then are
/// they finished (see ``stopAll(_:whileDraining:)``), so no subscription keeps pulling and
/// nacking while the others drain. ``cancel()`` is both phases for one subscription; it stops
/// that one only.
public struct Subscription: Sendable {
    private let stop: @Sendable () -> Void
    private let wait: @Sendable () async -> Void

    public init(stopPulling: @escaping @Sendable () -> Void, finish: @escaping @Sendable () async -> Void) {
        self.stop = stopPulling
        self.wait = finish
    }

    /// A subscription with no separate first phase: `cancel` stops and waits in one go.
    public init(cancel: @escaping @Sendable () async -> Void) {
        self.init(stopPulling: {}, finish: cancel)
    }

    /// Phase one: stop reading from the broker. Returns at once.
    public func stopPulling() { stop() }

    /// Phase two: wait for the handlers in flight and their acknowledgements.
    public func finish() async { await wait() }

    /// Stops this subscription only; returns once its in-flight handlers have finished.
    public func cancel() async {
        stop()
        await wait()
    }

    /// Stops `subscriptions` in two phases: every one stops pulling at once, then `drain` runs
    /// (the delivery pipeline's drain, which lets in-flight deliveries finish or times them
    /// out) while every subscription finishes. The one stop sequence of the sidecar.
    public static func stopAll(_ subscriptions: [Subscription], whileDraining drain: @escaping @Sendable () async -> Void = {}) async {
        for subscription in subscriptions { subscription.stopPulling() }
        await withDiscardingTaskGroup { group in
            group.addTask { await drain() }
            for subscription in subscriptions { group.addTask { await subscription.finish() } }
        }
    }
}
