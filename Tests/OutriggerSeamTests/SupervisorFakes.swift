import OutriggerSeam
import OutriggerTesting
import Synchronization
import Testing

/// A connection to ``FakeServer``; `number` counts the connections made, from 1.
struct FakeConnection: Sendable, Equatable {
    var number: Int
}

/// Connect errors that trying again cannot fix.
struct BadCredentials: Error, CustomStringConvertible {
    var description: String { "bad credentials" }
}

/// A broker to connect to. Each connect attempt takes the next planned outcome (succeed when
/// nothing is planned); `attempts` gets each attempt's number as it is made, `disconnects` the
/// number of each connection closed.
final class FakeServer: Sendable {
    enum Outcome: Sendable {
        case succeed
        case fail(any Error)
        /// Wait until the test calls ``decide(_:)``; cancellation ends the attempt.
        case hold
    }

    private struct State {
        var plan: [Outcome] = []
        var attemptCount = 0
        var connectionCount = 0
        var held: CheckedContinuation<Outcome, any Error>?
    }

    let attempts = Mailbox<Int>()
    let disconnects = Mailbox<Int>()
    private let state = Mutex(State())

    /// Outcomes for the next attempts, in order.
    func plan(_ outcomes: Outcome...) {
        state.withLock { $0.plan += outcomes }
    }

    /// Ends the held attempt with `outcome`.
    func decide(_ outcome: Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
        let held = state.withLock { state in
            defer { state.held = nil }
            return state.held
        }
        guard let held else {
            Issue.record("no connect attempt is held", sourceLocation: sourceLocation)
            return
        }
        held.resume(returning: outcome)
    }

    func connect() async throws -> FakeConnection {
        let (attempt, planned) = state.withLock { state -> (Int, Outcome) in
            state.attemptCount += 1
            return (state.attemptCount, state.plan.isEmpty ? .succeed : state.plan.removeFirst())
        }
        var outcome = planned
        if case .hold = planned {
            outcome = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
                    let cancelled = state.withLock { state -> Bool in
                        if Task.isCancelled { return true }
                        state.held = continuation
                        return false
                    }
                    if cancelled { continuation.resume(throwing: CancellationError()) }
                    attempts.send(attempt)
                }
            } onCancel: {
                let held = state.withLock { state in
                    defer { state.held = nil }
                    return state.held
                }
                held?.resume(throwing: CancellationError())
            }
        } else {
            attempts.send(attempt)
        }
        switch outcome {
        case .fail(let error): throw error
        case .succeed, .hold:
            return FakeConnection(number: state.withLock { state in
                state.connectionCount += 1
                return state.connectionCount
            })
        }
    }

    func disconnect(_ connection: FakeConnection) async {
        disconnects.send(connection.number)
    }

    /// A supervisor of connections to this server, waiting 1 s, 2 s, 4 s ... between attempts
    /// on `clock`.
    func supervisor(clock: TestClock = TestClock(), isTerminal: @escaping @Sendable (any Error) -> Bool = { _ in false }) -> Supervisor<FakeConnection> {
        Supervisor(
            name: "fake", backoff: Backoff(initial: .seconds(1), multiplier: 2, maximum: .seconds(10)), clock: clock.erased,
            isTerminal: isTerminal, connect: { try await self.connect() }, disconnect: { await self.disconnect($0) }
        )
    }
}

/// Starts `lease()` in the background; the returned mailbox gets its outcome.
func leaseInBackground(_ supervisor: Supervisor<FakeConnection>) -> Mailbox<Result<Supervisor<FakeConnection>.Lease, any Error>> {
    let outcome = Mailbox<Result<Supervisor<FakeConnection>.Lease, any Error>>()
    Task {
        do { outcome.send(.success(try await supervisor.lease())) } catch { outcome.send(.failure(error)) }
    }
    return outcome
}

/// Closes `supervisor`, failing instead of hanging when `close()` does not return.
func close(_ supervisor: Supervisor<FakeConnection>) async throws {
    try await completes("close() to return") { await supervisor.close() }
}
