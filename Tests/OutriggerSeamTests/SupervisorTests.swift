import OutriggerSeam
import OutriggerTesting
import Testing

@Suite("Supervisor")
struct SupervisorTests {
    typealias Unavailable = Supervisor<FakeConnection>.Unavailable

    /// A lease, comparable.
    struct Held: Equatable {
        var connection: Int
        var generation: Int
    }

    /// `supervisor.lease()`, failing instead of hanging when no lease comes.
    private func lease(_ supervisor: Supervisor<FakeConnection>) async throws -> Supervisor<FakeConnection>.Lease {
        try await withDeadline(eventDeadline, "a lease") { try await supervisor.lease() }
    }

    @Test("start makes the first connection and reports connected")
    func startSucceeds() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        try await supervisor.start()
        #expect(supervisor.health == .connected)
        #expect(server.attempts.sent == [1])
        try await close(supervisor)
    }

    @Test("start fails with the connect error")
    func startFails() async throws {
        let server = FakeServer()
        server.plan(.fail(BrokerDown(detail: "refused")))
        let supervisor = server.supervisor()
        await #expect(throws: BrokerDown(detail: "refused")) { try await supervisor.start() }
        #expect(supervisor.health != .connected)
        try await close(supervisor)
    }

    @Test("lease returns the current connection and its generation")
    func leaseReturnsConnection() async throws {
        let supervisor = FakeServer().supervisor()
        try await supervisor.start()
        #expect(try await lease(supervisor).held == Held(connection: 1, generation: 1))
        try await close(supervisor)
    }

    @Test("two loss reports for the same generation cause one reconnect")
    func oneReconnectPerGeneration() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        try await supervisor.start()
        let first = try await lease(supervisor)

        supervisor.connectionLost(first, error: BrokerDown(detail: "reset"))
        supervisor.connectionLost(first, error: BrokerDown(detail: "reset"))
        #expect(try await lease(supervisor).held == Held(connection: 2, generation: 2))
        try await close(supervisor)
        #expect(server.attempts.sent == [1, 2])
        #expect(server.disconnects.sent == [1, 2])
    }

    @Test("a loss reported for a connection already replaced changes nothing")
    func staleLoss() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        try await supervisor.start()
        let first = try await lease(supervisor)
        supervisor.connectionLost(first, error: BrokerDown(detail: "reset"))
        #expect(try await lease(supervisor).held == Held(connection: 2, generation: 2))

        supervisor.connectionLost(first, error: BrokerDown(detail: "late report"))
        #expect(supervisor.health == .connected)
        #expect(try await lease(supervisor).held == Held(connection: 2, generation: 2))
        try await close(supervisor)
        #expect(server.attempts.sent == [1, 2])
    }

    @Test("while reconnecting, lease waits and gets the new connection")
    func leaseWaitsForReconnect() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        try await supervisor.start()
        server.plan(.hold)
        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))
        _ = try await server.attempts.receive("the reconnect attempt")

        let waiting = leaseInBackground(supervisor)
        #expect(supervisor.health == .reconnecting(attempt: 1, lastError: "broker down: reset"))
        #expect(waiting.unread.isEmpty)
        server.decide(.succeed)
        #expect(try await waiting.receive("the waiting lease").get().held == Held(connection: 2, generation: 2))
        try await close(supervisor)
    }

    @Test("failed reconnect attempts wait the backoff on the clock between tries")
    func backoffBetweenAttempts() async throws {
        let clock = TestClock()
        let server = FakeServer()
        let supervisor = server.supervisor(clock: clock)
        try await supervisor.start()
        server.plan(.fail(BrokerDown(detail: "refused")), .fail(BrokerDown(detail: "refused")))
        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))
        _ = try await server.attempts.receive(2, "the first connection and reconnect attempt 1")

        try await withDeadline(eventDeadline, "the wait before retry 1") { await clock.sleepers(atLeast: 1) }
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(try await server.attempts.receive("reconnect attempt 2") == 3)

        try await withDeadline(eventDeadline, "the wait before retry 2") { await clock.sleepers(atLeast: 1) }
        clock.advance(by: .milliseconds(1999))
        #expect(clock.sleeperCount == 1)
        #expect(server.attempts.sent.count == 3)
        clock.advance(by: .milliseconds(1))
        #expect(try await server.attempts.receive("reconnect attempt 3") == 4)
        #expect(try await lease(supervisor).held == Held(connection: 2, generation: 2))
        try await close(supervisor)
    }

    @Test("while waiting to retry, health reports the next attempt and the last error")
    func healthWhileWaiting() async throws {
        let clock = TestClock()
        let server = FakeServer()
        let supervisor = server.supervisor(clock: clock)
        try await supervisor.start()
        server.plan(.fail(BrokerDown(detail: "refused")))
        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))

        try await withDeadline(eventDeadline, "the wait before retry 1") { await clock.sleepers(atLeast: 1) }
        #expect(supervisor.health == .reconnecting(attempt: 2, lastError: "broker down: refused"))
        try await close(supervisor)
    }

    @Test("resubscribers are called with the new connection after a reconnect, not after the first connect")
    func resubscribeAfterReconnect() async throws {
        let supervisor = FakeServer().supervisor()
        let resubscribed = Mailbox<Int>()
        _ = supervisor.addResubscriber { resubscribed.send($0.number) }
        try await supervisor.start()
        #expect(resubscribed.sent.isEmpty)

        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))
        #expect(try await resubscribed.receive("the resubscribe") == 2)
        try await close(supervisor)
    }

    @Test("a resubscriber that fails causes another reconnect")
    func failingResubscriber() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        let resubscribed = Mailbox<Int>()
        _ = supervisor.addResubscriber { connection in
            resubscribed.send(connection.number)
            if connection.number == 2 { throw BrokerDown(detail: "subscribe refused") }
        }
        try await supervisor.start()

        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))
        #expect(try await resubscribed.receive(2, "two resubscribes") == [2, 3])
        #expect(try await server.disconnects.receive(2, "the two lost connections closed") == [1, 2])
        #expect(try await lease(supervisor).held == Held(connection: 3, generation: 3))
        try await close(supervisor)
    }

    @Test("a terminal connect error fails health and the leases waiting")
    func terminalError() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor(isTerminal: { $0 is BadCredentials })
        try await supervisor.start()
        server.plan(.hold)
        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))
        _ = try await server.attempts.receive(2, "the reconnect attempt")

        let waiting = leaseInBackground(supervisor)
        server.decide(.fail(BadCredentials()))
        let outcome = try await waiting.receive("the waiting lease")
        #expect(throws: Unavailable.self) { try outcome.get() }
        #expect(supervisor.health == .failed("bad credentials"))
        await #expect(throws: Unavailable.self) { try await lease(supervisor) }
        try await close(supervisor)
    }

    @Test("a supervisor that gave up on an error printed as \"cancelled\" still answers Unavailable")
    func gaveUpWithCancelledText() async throws {
        enum Refusal: Error { case cancelled }
        let server = FakeServer()
        let supervisor = server.supervisor(isTerminal: { _ in true })
        try await supervisor.start()
        server.plan(.hold)
        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))
        _ = try await server.attempts.receive(2, "the reconnect attempt")
        let waiting = leaseInBackground(supervisor)
        server.decide(.fail(Refusal.cancelled))
        _ = try await waiting.receive("the waiting lease")

        #expect(supervisor.health == .failed("cancelled"))
        await #expect(throws: Unavailable.self) { try await lease(supervisor) }
        try await close(supervisor)
    }

    @Test("close fails the leases waiting for a reconnect")
    func closeFailsWaiters() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        try await supervisor.start()
        server.plan(.hold)
        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))
        _ = try await server.attempts.receive(2, "the reconnect attempt")
        let waiting = leaseInBackground(supervisor)

        try await close(supervisor)
        let outcome = try await waiting.receive("the waiting lease")
        #expect(throws: Unavailable.self) { try outcome.get() }
        #expect(supervisor.health == .closed)
    }

    @Test("close stops reconnecting")
    func closeStopsReconnecting() async throws {
        let clock = TestClock()
        let server = FakeServer()
        let supervisor = server.supervisor(clock: clock)
        try await supervisor.start()
        server.plan(.fail(BrokerDown(detail: "refused")))
        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))
        try await withDeadline(eventDeadline, "the wait before retry 1") { await clock.sleepers(atLeast: 1) }

        try await close(supervisor)
        #expect(clock.sleeperCount == 0)
        clock.advance(by: .seconds(60))
        #expect(server.attempts.sent == [1, 2])
        #expect(supervisor.health == .closed)
    }

    @Test("close disconnects the current connection and later leases are unavailable")
    func closeDisconnects() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        try await supervisor.start()

        try await close(supervisor)
        #expect(server.disconnects.sent == [1])
        #expect(supervisor.health == .closed)
        await #expect(throws: Unavailable.self) { try await lease(supervisor) }
    }

    @Test("close during a failing start leaves the supervisor closed")
    func closeDuringFailingStart() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        server.plan(.hold)
        let started = Mailbox<Result<Void, any Error>>()
        Task {
            do { started.send(.success(try await supervisor.start())) } catch { started.send(.failure(error)) }
        }
        _ = try await server.attempts.receive("the first attempt")

        try await close(supervisor)
        server.decide(.fail(BrokerDown(detail: "refused")))
        let outcome = try await started.receive("start to fail")
        #expect(throws: BrokerDown.self) { try outcome.get() }
        #expect(supervisor.health == .closed)
        await #expect(throws: Unavailable.self) { try await lease(supervisor) }
    }

    @Test("a cancelled lease throws CancellationError")
    func cancelledLease() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        try await supervisor.start()
        server.plan(.hold)
        supervisor.connectionLost(try await lease(supervisor), error: BrokerDown(detail: "reset"))
        _ = try await server.attempts.receive(2, "the reconnect attempt")

        let task = Task { try await supervisor.lease() }
        task.cancel()
        let outcome = try await completes("the cancelled lease to end") { await task.result }
        #expect(throws: CancellationError.self) { try outcome.get() }
        try await close(supervisor)
    }
}

extension Supervisor<FakeConnection>.Lease {
    var held: SupervisorTests.Held { .init(connection: connection.number, generation: generation) }
}
