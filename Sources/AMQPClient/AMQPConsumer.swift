import Synchronization

/// The deliveries of one `basic.consume`, bridged from the connection's thread to async code.
///
/// Bounded by the channel's prefetch count (`basic.qos`): the broker sends no more
/// unacknowledged deliveries than that, so the buffer never holds more. A consumer without a
/// prefetch count is unbounded; the components always set one.
public final class AMQPConsumer: Sendable {
    private struct State {
        var buffer: [AMQPDelivery] = []
        var end: AMQPError?
        var waiter: (continuation: CheckedContinuation<[AMQPDelivery], any Error>, max: Int)?
    }

    /// The consumer tag the broker knows it by.
    public let tag: String
    /// The channel it consumes on; its deliveries are settled there.
    public let channel: AMQPChannel
    private let state = Mutex(State())

    init(tag: String, channel: AMQPChannel) {
        self.tag = tag
        self.channel = channel
    }

    /// Whether it ended (cancelled, channel or connection closed).
    public var isFinished: Bool { state.withLock { $0.end != nil } }

    /// Up to `max` deliveries, waiting for at least one; throws why the consumer ended once
    /// nothing is left, or `CancellationError` when the waiting task is cancelled.
    public func next(max: Int) async throws -> [AMQPDelivery] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<[AMQPDelivery], any Error>? in
                    if !state.buffer.isEmpty { return .success(Self.take(&state.buffer, max)) }
                    if let end = state.end { return .failure(end) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiter = (continuation, Swift.max(max, 1))
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Called on the connection's thread for every delivery.
    func push(_ delivery: AMQPDelivery) {
        let resumed = state.withLock { state -> (CheckedContinuation<[AMQPDelivery], any Error>, [AMQPDelivery])? in
            guard state.end == nil else { return nil }
            state.buffer.append(delivery)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter.continuation, Self.take(&state.buffer, waiter.max))
        }
        if let (continuation, deliveries) = resumed { continuation.resume(returning: deliveries) }
    }

    /// Ends the consumer; deliveries still buffered are dropped, since they can no longer be
    /// acknowledged on their channel (the broker delivers them again).
    func finish(_ error: AMQPError) {
        let waiter = state.withLock { state -> CheckedContinuation<[AMQPDelivery], any Error>? in
            guard state.end == nil else { return nil }
            state.end = error
            state.buffer.removeAll()
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(throwing: error)
    }

    private static func take(_ buffer: inout [AMQPDelivery], _ max: Int) -> [AMQPDelivery] {
        let count = Swift.min(max, buffer.count)
        defer { buffer.removeFirst(count) }
        return Array(buffer.prefix(count))
    }
}
