import OutriggerCore
import OutriggerTesting
import Testing

/// `/v1.0/healthz/outbound` reads live component health, not a flag set at start-up.
@Suite("Component health check")
struct ComponentHealthCheckTests {
    final class Broker: PingableComponent, HealthReporting {
        let health: ConnectionHealth
        let pingError: String?
        let pingHangs: Bool

        init(health: ConnectionHealth = .connected, pingError: String? = nil, pingHangs: Bool = false) {
            self.health = health
            self.pingError = pingError
            self.pingHangs = pingHangs
        }

        func ping() async throws {
            if pingHangs { try await Task.sleep(for: .seconds(3600)) }
            if let pingError { throw ComponentError(.retriable, pingError) }
        }

        func close() async throws {}
    }

    func loaded(_ components: [(String, any Component)]) -> LoadedComponents {
        LoadedComponents(components.map { name, component in
            LoadedComponents.Entry(spec: ComponentSpec(name: name, type: "pubsub.test", origin: ResourceOrigin(file: "test.yaml", document: 1)), component: component)
        })
    }

    @Test("healthy components report no problem")
    func healthy() async {
        let problems = await ComponentHealthCheck.problems(in: loaded([("a", Broker()), ("b", Broker())]))
        #expect(problems.isEmpty)
    }

    @Test("a component whose supervisor is reconnecting is unhealthy, with the reason")
    func reconnecting() async {
        let broker = Broker(health: .reconnecting(attempt: 3, lastError: "connection refused"))
        let problems = await ComponentHealthCheck.problems(in: loaded([("ok", Broker()), ("redis", broker)]))
        #expect(problems.map(\.component) == ["redis"])
        #expect(problems.first?.reason.contains("connection refused") == true)
    }

    @Test("a failing ping makes the component unhealthy")
    func failingPing() async {
        let problems = await ComponentHealthCheck.problems(in: loaded([("kafka", Broker(pingError: "no brokers"))]))
        #expect(problems == [.init(component: "kafka", reason: "ping failed: no brokers")])
    }

    @Test("a ping that does not answer within the timeout on the clock is a problem")
    func hangingPing() async throws {
        let clock = TestClock()
        let check = Task { await ComponentHealthCheck.problems(in: loaded([("slow", Broker(pingHangs: true))]), timeout: .seconds(2), clock: clock.erased) }
        await clock.sleepers(atLeast: 1)
        clock.advance(by: .seconds(2))
        let problems = try await withDeadline(.seconds(60), "the health check") { await check.value }
        #expect(problems.map(\.reason) == ["ping failed: timed out after 2s"])
    }
}
