import Synchronization

/// Collects the outcomes of a batch of publishes, which arrive one by one on libnats'
/// threads, and hands them over in order once the last one arrived.
final class BatchOutcomes: Sendable {
    private struct State {
        var outcomes: [Result<PublishAck, NATSError>?]
        var missing: Int
    }

    private let state: Mutex<State>
    private let done: @Sendable ([Result<PublishAck, NATSError>]) -> Void

    init(count: Int, done: @escaping @Sendable ([Result<PublishAck, NATSError>]) -> Void) {
        state = Mutex(State(outcomes: Array(repeating: nil, count: count), missing: count))
        self.done = done
    }

    /// Records the outcome of publish `index` (the first one recorded for it counts).
    func set(_ index: Int, _ outcome: Result<PublishAck, NATSError>) {
        let complete = state.withLock { state -> [Result<PublishAck, NATSError>]? in
            guard state.outcomes[index] == nil else { return nil }
            state.outcomes[index] = outcome
            state.missing -= 1
            return state.missing == 0 ? state.outcomes.map { $0 ?? .failure(.closed) } : nil
        }
        if let complete { done(complete) }
    }
}
