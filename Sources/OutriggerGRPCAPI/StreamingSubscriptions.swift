import DaprProto
import GRPCCore
import Logging
import OutriggerCore
import OutriggerDelivery
import ServiceLifecycle
import Synchronization

/// The streaming subscriptions (`SubscribeTopicEventsAlpha1`) open right now.
///
/// The first message of a stream is the initial request (pubsub, topic, metadata, dead-letter
/// topic); the sidecar subscribes through the component, answers with the initial response, then
/// sends each event as a `TopicEventRequest` and reads the subscriber's `event_processed` answers
/// (SUCCESS, RETRY, DROP). Closing the stream unsubscribes; events without an answer go back to
/// the broker.
///
/// A `Service`: register it after the app, next to the app's subscriptions, so it stops before
/// the API. At shutdown it refuses new streams (UNAVAILABLE), gives deliveries in flight
/// `drainTimeout` to be answered, then ends every stream with UNAVAILABLE.
public final class StreamingSubscriptions: Service, Sendable {
    public typealias Request = Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestAlpha1
    public typealias Response = Dapr_Proto_Runtime_V1_SubscribeTopicEventsResponseAlpha1

    /// What every stream's subscription shares with the app's subscriptions.
    public struct Settings: Sendable {
        /// The consumer group unless the stream's metadata names one.
        public var appID: String
        /// How long deliveries in flight may take at shutdown (`--drain-timeout`).
        public var drainTimeout: Duration
        /// Resiliency documents; the component's `inbound` target sets retries and timeouts.
        public var resiliencies: [ResiliencySpec]

        public init(appID: String, drainTimeout: Duration, resiliencies: [ResiliencySpec]) {
            self.appID = appID
            self.drainTimeout = drainTimeout
            self.resiliencies = resiliencies
        }
    }

    private struct State {
        var accepting = true
        var sessions: [UInt64: StreamingSubscription] = [:]
        var nextID: UInt64 = 0
    }

    static let shuttingDown = RPCError(code: .unavailable, message: "the sidecar is shutting down; no new streaming subscriptions")

    public let settings: Settings
    let publisher: Publisher
    let logger: Logger
    private let state = Mutex(State())

    public init(settings: Settings, publisher: Publisher, logger: Logger) {
        self.settings = settings
        self.publisher = publisher
        self.logger = logger
    }

    /// The subscriptions of the open streams, oldest first, for the metadata APIs.
    public var subscriptions: [ActiveSubscription] {
        state.withLock { $0.sessions.sorted { $0.key < $1.key }.compactMap(\.value.active) }
    }

    /// Every open stream's subscription stops reading from its broker (phase one of the
    /// sidecar's stop, together with the app's subscriptions); no new stream is accepted.
    public func stopPulling() {
        let sessions = state.withLock { state -> [StreamingSubscription] in
            state.accepting = false
            return Array(state.sessions.values)
        }
        for session in sessions { session.stopPulling() }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        let sessions = state.withLock { state -> [StreamingSubscription] in
            state.accepting = false
            return Array(state.sessions.values)
        }
        guard !sessions.isEmpty else { return }
        logger.info("shutting down: ending streaming subscriptions", metadata: ["count": "\(sessions.count)"])
        await withTaskGroup(of: Void.self) { group in
            for session in sessions {
                group.addTask { await session.stop(reason: "the sidecar is shutting down", drainTimeout: self.settings.drainTimeout) }
            }
        }
    }

    /// Serves one stream until the subscriber closes it or the sidecar shuts down.
    ///
    /// The RPC ends as Dapr's does, so SDKs react the same way: a refused request with its
    /// error; the subscriber closing its side (EOF) with UNKNOWN; a shutdown with UNAVAILABLE
    /// (the Python SDK, for one, reconnects on both once the sidecar is healthy again).
    func serve(_ requests: RPCAsyncSequence<Request, any Error>, writer: RPCWriter<Response>) async throws {
        let session = try open()
        defer { state.withLock { _ = $0.sessions.removeValue(forKey: session.id) } }

        enum Outcome: Sendable {
            case readerEnded((any Error)?)
            case writerEnded(writeFailure: (any Error)?)
        }
        let end = await withTaskGroup(of: Outcome.self) { group -> Outcome in
            group.addTask {
                do {
                    var iterator = requests.makeAsyncIterator()
                    guard let first = try await iterator.next() else { return .readerEnded(nil) }
                    try await self.start(session, with: first)
                    while let message = try await iterator.next() { try session.receive(message) }
                    return .readerEnded(nil)
                } catch {
                    return .readerEnded(error)
                }
            }
            group.addTask {
                for await message in session.channel.outbox {
                    do { try await writer.write(message) } catch { return .writerEnded(writeFailure: error) }
                }
                return .writerEnded(writeFailure: nil)
            }
            // The writer ends by itself only when a shutdown stopped the session (or the stream
            // broke); otherwise the subscriber closed, cancelled or broke the stream.
            let first = await group.next() ?? .writerEnded(writeFailure: nil)
            let reason = switch first {
            case .readerEnded(let error?): "\(error)"
            case .readerEnded(nil): "the subscriber closed its side of the stream"
            case .writerEnded(let error?): "sending failed: \(error)"
            case .writerEnded(nil): "the sidecar is shutting down"
            }
            await session.stop(reason: reason, drainTimeout: nil)
            group.cancelAll()
            for await _ in group {}
            return first
        }
        switch end {
        case .readerEnded(let error?):
            // Ours (a refused request) are the answer; others come from a stream that is gone.
            if error is RPCError || error is DaprRPCError { throw error }
        case .readerEnded(nil):
            throw RPCError(code: .unknown, message: "EOF: the subscriber closed its side of the stream; unsubscribed")
        case .writerEnded:
            throw RPCError(code: .unavailable, message: "the sidecar is shutting down; the streaming subscription has ended")
        }
    }

    private func open() throws -> StreamingSubscription {
        try state.withLock { state in
            guard state.accepting else { throw Self.shuttingDown }
            state.nextID += 1
            let session = StreamingSubscription(id: state.nextID, logger: logger)
            state.sessions[session.id] = session
            return session
        }
    }

    private func start(_ session: StreamingSubscription, with first: Request) async throws {
        guard case .initialRequest(let initial)? = first.subscribeTopicEventsRequestType else {
            throw RPCError(code: .invalidArgument, message: "the first message of SubscribeTopicEventsAlpha1 must be the initial request (pubsub_name, topic)")
        }
        let pubsub: any PubSub
        do throws(PublishError) {
            pubsub = try publisher.pubsub(initial.pubsubName, topic: initial.topic)
        } catch {
            throw DaprRPCError(error)
        }
        try await session.start(initial, pubsub: pubsub, settings: settings)
    }
}
