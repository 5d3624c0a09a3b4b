import DaprProto
import GRPCCore
import GRPCNIOTransportHTTP2Posix

typealias TopicEvent = Dapr_Proto_Runtime_V1_TopicEventRequest
typealias EventStatus = Dapr_Proto_Runtime_V1_TopicEventResponse.TopicEventResponseStatus

/// A `SubscribeTopicEventsAlpha1` stream opened by a test, as an SDK's `subscribe()` opens one:
/// the initial request, then an answer per event.
final class TestSubscriber: Sendable {
    struct State: Sendable {
        var opened = false
        var events: [TopicEvent] = []
        /// Set once the RPC is over: success for an OK status, else the error.
        var ended: Result<Void, RPCError>?

    }

    typealias Request = Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestAlpha1

    let state: Watched<State>
    private let answers: AsyncStream<Request>.Continuation
    private let call: Task<Void, Never>

    private init(state: Watched<State>, answers: AsyncStream<Request>.Continuation, call: Task<Void, Never>) {
        self.state = state
        self.answers = answers
        self.call = call
    }

    /// Opens the stream and waits for the initial response; throws the RPC's error if the
    /// sidecar refuses the subscription. `first` replaces the initial request (to test refusals).
    static func open(
        _ client: DaprClient, pubsub: String = "pubsub", topic: String, deadLetterTopic: String? = nil,
        metadata: [String: String] = [:], first: Request? = nil
    ) async throws -> TestSubscriber {
        var initial = Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestInitialAlpha1()
        initial.pubsubName = pubsub
        initial.topic = topic
        initial.metadata = metadata
        if let deadLetterTopic { initial.deadLetterTopic = deadLetterTopic }
        var request = Request()
        request.initialRequest = initial
        let firstMessage = first ?? request

        let (outgoing, answers) = AsyncStream.makeStream(of: Request.self)
        let state = Watched(State())
        let call = Task {
            do {
                try await client.subscribeTopicEventsAlpha1(
                    requestProducer: { writer in
                        try await writer.write(firstMessage)
                        for await answer in outgoing { try await writer.write(answer) }
                    },
                    onResponse: { response in
                        for try await message in response.messages {
                            switch message.subscribeTopicEventsResponseType {
                            case .initialResponse: state.update { $0.opened = true }
                            case .eventMessage(let event): state.update { $0.events.append(event) }
                            case nil: break
                            }
                        }
                    })
                state.update { $0.ended = .success(()) }
            } catch let error as RPCError {
                state.update { $0.ended = .failure(error) }
            } catch {
                state.update { $0.ended = .failure(RPCError(code: .unknown, message: "\(error)")) }
            }
        }
        let subscriber = TestSubscriber(state: state, answers: answers, call: call)
        let opened = try await subscriber.state.wait(for: .seconds(60), "the initial response on \(topic)") { $0.opened || $0.ended != nil }
        if case .failure(let error)? = opened.ended { throw error }
        return subscriber
    }

    /// Waits until at least `count` events arrived; returns them all, in order.
    func events(_ count: Int, within limit: Duration = .seconds(60)) async throws -> [TopicEvent] {
        try await state.wait(for: limit, "\(count) events on the stream") { $0.events.count >= count || $0.ended != nil }.events
    }

    /// Answers `event` with `status`.
    func answer(_ event: TopicEvent, _ status: EventStatus) {
        var processed = Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestProcessedAlpha1()
        processed.id = event.id
        processed.status.status = status
        var request = Request()
        request.eventProcessed = processed
        answers.yield(request)
    }

    /// Closes the sending side, as a subscriber that is done; waits for the RPC to end and
    /// returns how: nil for status OK, else the error (Dapr answers UNKNOWN, "EOF").
    @discardableResult
    func close() async throws -> RPCError? {
        answers.finish()
        let ended = try await state.wait(for: .seconds(60), "the stream to end") { $0.ended != nil }.ended
        if case .failure(let error)? = ended { return error }
        return nil
    }

    /// Cancels the RPC (RST_STREAM), as a subscriber that went away.
    func cancel() async {
        call.cancel()
        await call.value
    }
}
