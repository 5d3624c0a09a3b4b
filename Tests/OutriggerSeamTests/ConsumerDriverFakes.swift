import OutriggerSeam
import Synchronization
import Testing

/// A broker message: `id` says which, `key` is its ordering key.
struct Delivery: Sendable, Equatable, CustomStringConvertible {
    var id: Int
    var key: String?

    init(_ id: Int, key: String? = nil) {
        self.id = id
        self.key = key
    }

    var description: String { key.map { "\(id)[\($0)]" } ?? "\(id)" }
}

/// A transient broker error.
struct BrokerDown: Error, Equatable, CustomStringConvertible {
    var detail: String
    var description: String { "broker down: \(detail)" }
}

/// A broker whose every read waits until the test answers it. `reads` gets each read's `room`
/// as the read starts; `cancellations` the number (1-based) of each read that was cancelled.
final class ScriptedBroker: Sendable {
    private struct State {
        var readCount = 0
        var pending: CheckedContinuation<[Delivery]?, any Error>?
    }

    let reads = Mailbox<Int>()
    let cancellations = Mailbox<Int>()
    private let ignoresCancellation: Bool
    private let state = Mutex(State())

    /// - Parameter ignoresCancellation: a cancelled read still waits for its answer, like a
    ///   broker client that returns what it already took.
    init(ignoresCancellation: Bool = false) {
        self.ignoresCancellation = ignoresCancellation
    }

    var readCount: Int { state.withLock { $0.readCount } }

    func pull(room: Int) async throws -> [Delivery]? {
        let number = state.withLock { state -> Int in
            state.readCount += 1
            return state.readCount
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Delivery]?, any Error>) in
                let cancelled = state.withLock { state -> Bool in
                    if Task.isCancelled && !ignoresCancellation { return true }
                    state.pending = continuation
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
                reads.send(room)
            }
        } onCancel: {
            cancellations.send(number)
            guard !ignoresCancellation else { return }
            takePending()?.resume(throwing: CancellationError())
        }
    }

    /// Ends the read in progress with `deliveries` (`nil`: the source has ended).
    func answer(_ deliveries: [Delivery]?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let pending = takePending() else {
            Issue.record("no read is waiting for an answer", sourceLocation: sourceLocation)
            return
        }
        pending.resume(returning: deliveries)
    }

    /// Ends the read in progress with `error`.
    func fail(_ error: any Error, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let pending = takePending() else {
            Issue.record("no read is waiting for an answer", sourceLocation: sourceLocation)
            return
        }
        pending.resume(throwing: error)
    }

    private func takePending() -> CheckedContinuation<[Delivery]?, any Error>? {
        state.withLock { state in
            defer { state.pending = nil }
            return state.pending
        }
    }
}

/// One `settle` call, comparable.
struct Settled: Sendable, Equatable {
    struct Nack: Sendable, Equatable {
        var id: Int
        var reason: NackReason
    }

    var acks: [Int]
    var nacks: [Nack]

    init(acks: [Int] = [], nacks: [Nack] = []) {
        self.acks = acks
        self.nacks = nacks
    }

    init(_ settlement: Settlement<Delivery>) {
        self.init(acks: settlement.acks.map(\.id), nacks: settlement.nacks.map { Nack(id: $0.message.id, reason: $0.reason) })
    }

    var count: Int { acks.count + nacks.count }
}

/// The app's handler and the component's `settle`, as the driver sees them.
///
/// A holding app's handlers wait until the test releases their message; `settleGate`, when
/// closed, holds every `settle` call (after recording it) until opened.
final class FakeApp: Sendable {
    private struct State {
        var holding: Bool
        var gates: [Int: Gate] = [:]
        var running = 0
        var maxRunning = 0
        var keysRunning: Set<String> = []
        var keyOverlaps: [Int] = []
    }

    let started = Mailbox<Delivery>()
    let settlements = Mailbox<Settled>()
    let settleGate: Gate
    private let failures: [Int: any Error]
    private let state: Mutex<State>

    init(holding: Bool = false, settling: Bool = true, failures: [Int: any Error] = [:]) {
        state = Mutex(State(holding: holding))
        settleGate = Gate(open: settling)
        self.failures = failures
    }

    /// The most handlers that ran at the same time.
    var maxRunning: Int { state.withLock { $0.maxRunning } }

    /// Messages that started while another message of their key was running.
    var keyOverlaps: [Int] { state.withLock { $0.keyOverlaps } }

    var acked: [Int] { settlements.sent.flatMap(\.acks) }
    var nacked: [Settled.Nack] { settlements.sent.flatMap(\.nacks) }
    var settledCount: Int { settlements.sent.reduce(0) { $0 + $1.count } }

    /// Lets the handlers of `ids` return (or throw).
    func release(_ ids: Int...) {
        for id in ids { gate(id).open() }
    }

    /// Lets every handler, now and later, return at once.
    func releaseAll() {
        let gates = state.withLock { state in
            state.holding = false
            return Array(state.gates.values)
        }
        for gate in gates { gate.open() }
    }

    func handle(_ delivery: Delivery) async throws {
        let gate = state.withLock { state -> Gate? in
            state.running += 1
            state.maxRunning = max(state.maxRunning, state.running)
            if let key = delivery.key, !state.keysRunning.insert(key).inserted { state.keyOverlaps.append(delivery.id) }
            return state.holding ? Self.gate(delivery.id, in: &state) : nil
        }
        defer {
            state.withLock { state in
                state.running -= 1
                if let key = delivery.key { state.keysRunning.remove(key) }
            }
        }
        started.send(delivery)
        try await gate?.wait()
        if let error = failures[delivery.id] { throw error }
    }

    func settle(_ settlement: Settlement<Delivery>) async {
        settlements.send(Settled(settlement))
        try? await settleGate.wait()
    }

    /// A driver that calls this app.
    func driver(
        maxConcurrency: Int = 10, maxSettlementBatch: Int = 256, ordered: Bool = false,
        pullBackoff: Backoff = .reconnect, clock: AnyClock = .continuous
    ) -> ConsumerDriver<Delivery> {
        var orderingKey: (@Sendable (Delivery) -> String?)?
        if ordered { orderingKey = { delivery in delivery.key } }
        let configuration = ConsumerDriver<Delivery>.Configuration(
            maxConcurrency: maxConcurrency, maxSettlementBatch: maxSettlementBatch, orderingKey: orderingKey, pullBackoff: pullBackoff
        )
        return ConsumerDriver(
            configuration: configuration, clock: clock,
            handler: { try await self.handle($0) }, settle: { await self.settle($0) }
        )
    }

    private func gate(_ id: Int) -> Gate {
        state.withLock { Self.gate(id, in: &$0) }
    }

    private static func gate(_ id: Int, in state: inout State) -> Gate {
        if let gate = state.gates[id] { return gate }
        let gate = Gate()
        state.gates[id] = gate
        return gate
    }
}

/// Both phases of a stop, failing instead of hanging when `finish()` does not return.
func stop(_ driver: ConsumerDriver<Delivery>) async throws {
    driver.stopPulling()
    try await completes("finish() to return") { await driver.finish() }
}
