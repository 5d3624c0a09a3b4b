import OutriggerSeam
import OutriggerTesting
import Testing

/// `Supervisor.connectionLost(where:error:)` and `Supervisor.recover(attempt:stillUsable:)`: what
/// a component's client library callback and a consumer driver's `recover` use.
@Suite("Supervisor recovery helpers")
struct SupervisorRecoveryTests {
    @Test("connectionLost(where:) reconnects when the picked connection is the current one, and does nothing for a replaced one")
    func lossByIdentity() async throws {
        let server = FakeServer()
        let supervisor = server.supervisor()
        try await supervisor.start()
        supervisor.connectionLost(where: { $0.number == 7 }, error: BrokerDown(detail: "not this one"))
        supervisor.connectionLost(where: { $0.number == 1 }, error: BrokerDown(detail: "closed by the server"))
        _ = try await server.attempts.receive(2, "the first connection and the reconnect")
        let lease = try await withDeadline(eventDeadline, "a lease") { try await supervisor.lease() }
        #expect(lease.connection.number == 2)
        // The old connection's late callback changes nothing now.
        supervisor.connectionLost(where: { $0.number == 1 }, error: BrokerDown(detail: "late"))
        #expect(supervisor.health == .connected)
        try await close(supervisor)
        #expect(server.attempts.sent == [1, 2])
    }

    @Test("recover returns at once with a new connection, and waits the backoff on a still usable one from the second attempt")
    func recoverWaitsOnlyWhenTheConnectionWasFine() async throws {
        let clock = TestClock()
        let supervisor = FakeServer().supervisor(clock: clock)
        try await supervisor.start()
        try await completes("recover on attempt 1") { await supervisor.recover(attempt: 1) { _ in true } }
        try await completes("recover when the connection is not the cause") { await supervisor.recover(attempt: 3) { _ in false } }

        async let recovered: Void = supervisor.recover(attempt: 2) { _ in true }
        try await withDeadline(eventDeadline, "the backoff wait") { await clock.sleepers(atLeast: 1) }
        // The fake supervisor's backoff starts at 1 s: the wait before retry 1.
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 1, "recover returned before its backoff")
        clock.advance(by: .milliseconds(1))
        await recovered
        try await close(supervisor)
    }

    @Test("recover waits the backoff when no connection can be had, so a failing pull does not spin")
    func recoverWaitsWhenClosed() async throws {
        let clock = TestClock()
        let supervisor = FakeServer().supervisor(clock: clock)
        try await supervisor.start()
        try await close(supervisor)
        async let recovered: Void = supervisor.recover(attempt: 1)
        try await withDeadline(eventDeadline, "the backoff wait") { await clock.sleepers(atLeast: 1) }
        #expect(clock.sleeperCount == 1, "recover returned at once with no connection to give")
        clock.advance(by: .seconds(2))
        await recovered
    }
}
