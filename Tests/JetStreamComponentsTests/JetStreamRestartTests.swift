import Foundation
import OutriggerCore
import Synchronization
import Testing
@testable import JetStreamComponents

/// Publishes numbered messages one after another until stopped, retrying a failed one as an
/// app (or the outbound resiliency policy) would, and remembers which the stream acknowledged.
final class SteadyPublisher: Sendable {
    private struct State {
        var acknowledged: Set<String> = []
        var failures = 0
        var stopped = false
    }

    private let state = Mutex(State())

    var acknowledged: Set<String> { state.withLock { $0.acknowledged } }
    var failures: Int { state.withLock { $0.failures } }

    func stop() { state.withLock { $0.stopped = true } }

    func run(_ pubsub: JetStreamPubSub, topic: String) async {
        var number = 1
        while !state.withLock({ $0.stopped }) {
            let payload = "restart-\(number)"
            do {
                try await pubsub.publish(OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain"))
                state.withLock { _ = $0.acknowledged.insert(payload) }
                number += 1
            } catch {
                state.withLock { $0.failures += 1 }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Waits until at least `count` publishes were acknowledged (at most `limit`: generous, as
    /// the publishes go one at a time and a loaded CI box once took 30 s for 131 of them).
    func until(acknowledged count: Int, _ limit: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while acknowledged.count < count {
            guard ContinuousClock.now < deadline else { throw ComponentError(.terminal, "only \(acknowledged.count) of \(count) publishes acknowledged") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

@Suite("pubsub.jetstream across a broker restart")
struct JetStreamRestartTests {
    /// Publishes acknowledged between kills: 200 here; `make chaos` sets
    /// OUTRIGGER_CHAOS_MESSAGES=2500 and OUTRIGGER_CHAOS_KILLS=3 (10,000 messages, three kills).
    static let messagesPerPhase = Int(ProcessInfo.processInfo.environment["OUTRIGGER_CHAOS_MESSAGES"] ?? "") ?? 200
    static let kills = Int(ProcessInfo.processInfo.environment["OUTRIGGER_CHAOS_KILLS"] ?? "") ?? 1

    @Test("every publish acknowledged before, during and after a kill -9 of the broker is delivered at least once")
    func killAndRestart() async throws {
        let server = try PrivateNATSServer()
        try await server.start()
        let topic = "restart-orders"
        let pubsub = try await SharedBroker.component(["streamName": "restart", "ackWait": "5s"], url: server.url)
        let received = Received()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "tests")) { await received.record($0) }
        let publisher = SteadyPublisher()
        let publishing = Task { await publisher.run(pubsub, topic: topic) }

        try await publisher.until(acknowledged: Self.messagesPerPhase)
        for _ in 0..<Self.kills {
            await server.kill9()
            try await server.start()
            // Keep publishing until the component is back and a phase more was acknowledged.
            try await publisher.until(acknowledged: publisher.acknowledged.count + Self.messagesPerPhase)
        }
        publisher.stop()
        await publishing.value
        let acknowledged = publisher.acknowledged
        try await received.until(.seconds(120)) { Set($0).isSuperset(of: acknowledged) }
        await subscription.cancel()
        try await pubsub.close()
        let missing = acknowledged.subtracting(await received.payloads)
        #expect(missing.isEmpty, "acknowledged but never delivered: \(missing.sorted().prefix(5))")
        #expect(publisher.failures > 0, "the kills interrupted no publish, so they proved nothing")
    }
}

@Suite("pubsub.jetstream connection health")
struct JetStreamHealthTests {
    /// Waits until `condition` holds for the component's health (at most 30 s).
    static func until(_ pubsub: JetStreamPubSub, _ condition: (ConnectionHealth) -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while !condition(pubsub.health) {
            guard ContinuousClock.now < deadline else { throw ComponentError(.terminal, "health stayed \(pubsub.health)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("with nothing published or read, a server that goes away shows in health, and the component reconnects by itself")
    func idleReconnect() async throws {
        let server = try PrivateNATSServer()
        try await server.start()
        let pubsub = try await SharedBroker.component(["streamName": "health"], url: server.url)
        #expect(pubsub.health == .connected)
        await server.kill9()
        try await Self.until(pubsub) { $0 != .connected }
        try await server.start()
        try await Self.until(pubsub) { $0 == .connected }
        try await pubsub.publish(OutgoingMessage(topic: "health-check", data: [1], contentType: "text/plain"))
        try await pubsub.close()
    }
}
