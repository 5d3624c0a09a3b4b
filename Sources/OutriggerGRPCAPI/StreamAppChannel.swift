import CloudEvents
import DaprProto
import Logging
import OutriggerCore
import OutriggerDelivery
import Synchronization

/// The ``AppChannel`` of one streaming subscription: each event goes out on the stream as a
/// `TopicEventRequest`, and the subscriber's `SubscribeTopicEventsRequestProcessedAlpha1` with the
/// event's id answers it (answers to one id go to its deliveries oldest first).
///
/// ``outbox`` is what the stream writes, in order: the initial response first, then the events.
/// It holds at most one message per delivery in flight, so the subscription's concurrency limit
/// (`maxConcurrency`, default 100) bounds it.
final class StreamAppChannel: AppChannel {
    typealias Response = Dapr_Proto_Runtime_V1_SubscribeTopicEventsResponseAlpha1

    /// The stream ended before the subscriber answered; the pipeline hands the event back.
    struct Closed: Error, CustomStringConvertible {
        var reason: String
        var description: String { "the streaming subscription ended: \(reason)" }
    }

    /// Streaming subscriptions deliver single events only.
    struct Unsupported: Error, CustomStringConvertible {
        var description: String { "streaming subscriptions deliver neither bulk batches nor binding events" }
    }

    private struct Waiter {
        var token: UInt64
        var continuation: CheckedContinuation<AppAnswer, any Error>
    }

    private struct State {
        var opened = false
        var held: [Response] = []
        var closed: String?
        var waiting: [String: [Waiter]] = [:]
        var cancelled: Set<UInt64> = []
        var nextToken: UInt64 = 0
    }

    /// The messages for the subscriber, in the order they must be written.
    let outbox: AsyncStream<Response>
    private let outboxWriter: AsyncStream<Response>.Continuation
    private let state = Mutex(State())
    private let logger: Logger

    init(logger: Logger) {
        (outbox, outboxWriter) = AsyncStream.makeStream(of: Response.self)
        self.logger = logger
    }

    /// Sends the initial response, then the events that were waiting for it.
    func open() {
        state.withLock { state in
            guard !state.opened else { return }
            state.opened = true
            var initial = Response()
            initial.initialResponse = Dapr_Proto_Runtime_V1_SubscribeTopicEventsResponseInitialAlpha1()
            outboxWriter.yield(initial)
            for message in state.held { outboxWriter.yield(message) }
            state.held = []
        }
    }

    /// The subscriber's answer to the event with `processed.id`; an answer without a status is SUCCESS.
    func answer(_ processed: Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestProcessedAlpha1) {
        let waiter = state.withLock { state -> Waiter? in
            guard var waiters = state.waiting[processed.id], !waiters.isEmpty else { return nil }
            let waiter = waiters.removeFirst()
            state.waiting[processed.id] = waiters.isEmpty ? nil : waiters
            return waiter
        }
        guard let waiter else {
            logger.debug("answer for an event that is not waiting for one; ignored", metadata: ["id": "\(processed.id)"])
            return
        }
        waiter.continuation.resume(returning: processed.hasStatus ? AppAnswer(processed.status.status) : .success)
    }

    /// Fails every delivery waiting for an answer, and every later one.
    func close(_ reason: String) {
        let waiters = state.withLock { state -> [Waiter] in
            if state.closed == nil { state.closed = reason }
            defer { state.waiting = [:] }
            return state.waiting.values.flatMap { $0 }
        }
        for waiter in waiters { waiter.continuation.resume(throwing: Closed(reason: reason)) }
    }

    /// Ends ``outbox``: the stream writer stops after the messages already in it.
    func finish() {
        outboxWriter.finish()
    }

    func subscriptions() async throws -> [SubscriptionSpec] { [] }

    func deliver(_ event: AppEvent) async throws -> AppAnswer {
        var message = Response()
        message.eventMessage = Dapr_Proto_Runtime_V1_TopicEventRequest(event: event.event, topic: event.topic, pubsubName: event.pubsubName, path: "")
        let id = event.event.id
        let token = state.withLock { state -> UInt64 in
            state.nextToken += 1
            return state.nextToken
        }
        // The cancellation handler may run before the waiter is registered; it leaves the token
        // in `cancelled`, which registration checks. Once the call has returned it cannot run.
        defer { _ = state.withLock { $0.cancelled.remove(token) } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AppAnswer, any Error>) in
                let refusal = state.withLock { state -> (any Error)? in
                    if state.cancelled.contains(token) { return CancellationError() }
                    if let reason = state.closed { return Closed(reason: reason) }
                    state.waiting[id, default: []].append(Waiter(token: token, continuation: continuation))
                    if state.opened { outboxWriter.yield(message) } else { state.held.append(message) }
                    return nil
                }
                if let refusal { continuation.resume(throwing: refusal) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                if let index = state.waiting[id]?.firstIndex(where: { $0.token == token }) {
                    let waiter = state.waiting[id]?.remove(at: index)
                    if state.waiting[id]?.isEmpty == true { state.waiting[id] = nil }
                    return waiter
                }
                state.cancelled.insert(token)
                return nil
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    func deliverBulk(_ batch: AppBulkEvent) async throws -> [String: AppAnswer] { throw Unsupported() }

    func deliverBinding(_ event: AppBindingEvent) async throws -> AppAnswer { throw Unsupported() }
    func wantsBinding(name: String, route: String) async throws -> Bool { false }
}
