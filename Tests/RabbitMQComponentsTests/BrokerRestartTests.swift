import Foundation
import OutriggerCore
import OutriggerTesting
import RabbitMQComponents
import Synchronization
import Testing

/// The broker crashes (`kill -9`) and restarts while messages are published and delivered:
/// every publish the component confirmed is delivered at least once, and the subscription
/// recovers by itself. Runs its own rabbitmq-server (``PrivateRabbitMQ``).
///
/// `RABBITMQ_RESTART_MESSAGES` sets the number of messages (default 10,000, about 15 s on a
/// 2-core box).
@Suite("pubsub.rabbitmq through a broker restart", .serialized)
struct BrokerRestartTests {
    /// Payloads acknowledged to the publisher, and payloads the handler saw.
    final class Ledger: Sendable {
        struct State {
            var confirmed: Set<String> = []
            var confirmedAfterRestart = 0
            var delivered: Set<String> = []
            var deliveries = 0
            var restarted = false
        }

        let state = Mutex(State())
        var confirmedCount: Int { state.withLock { $0.confirmed.count } }
    }

    static var messageCount: Int {
        Int(ProcessInfo.processInfo.environment["RABBITMQ_RESTART_MESSAGES"] ?? "") ?? 10_000
    }

    @Test("every confirmed publish arrives after a kill -9 and restart, and the subscription recovers")
    func restart() async throws {
        let broker = try PrivateRabbitMQ()
        try await broker.start()
        let metadata = ComponentMetadata(name: "restart", type: "pubsub.rabbitmq", properties: [
            "connectionString": broker.connectionString, "durable": "true", "deletedWhenUnused": "false", "deliveryMode": "2",
        ])
        let pubsub = try await RabbitMQPubSub.start(metadata: metadata)
        let ledger = Ledger()
        let topic = "restart-\(UUID().uuidString.prefix(8))"
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "restart", maxConcurrency: 50)) { message in
            let payload = String(decoding: message.data, as: UTF8.self)
            ledger.state.withLock { state in
                state.delivered.insert(payload)
                state.deliveries += 1
            }
        }
        let count = Self.messageCount
        let crashAt = count / 3

        // Publishers retry a failed publish (as the sidecar's outbound resiliency would) until
        // the broker confirms it; only confirmed payloads count.
        let publishing = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
            let lanes = 8
            for lane in 0..<lanes {
                group.addTask {
                    for index in stride(from: lane, to: count, by: lanes) {
                        let payload = "message-\(index)"
                        while true {
                            do {
                                try await pubsub.publish(OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain"))
                                ledger.state.withLock { state in
                                    state.confirmed.insert(payload)
                                    if state.restarted { state.confirmedAfterRestart += 1 }
                                }
                                break
                            } catch {
                                try await Task.sleep(for: .milliseconds(50))
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
            }
        }
        defer { publishing.cancel() }

        try await withDeadline(.seconds(60), "\(crashAt) confirmed publishes before the crash") {
            while ledger.confirmedCount < crashAt { try await Task.sleep(for: .milliseconds(10)) }
        }
        await broker.kill()
        ledger.state.withLock { $0.restarted = true }
        try await broker.start()
        try await withDeadline(.seconds(90), "every publish confirmed") {
            try await withTaskCancellationHandler { try await publishing.value } onCancel: { publishing.cancel() }
        }

        try await withDeadline(.seconds(60), "every confirmed message delivered") {
            while true {
                let missing = ledger.state.withLock { $0.confirmed.subtracting($0.delivered).count }
                if missing == 0 { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let state = ledger.state.withLock { $0 }
        #expect(state.confirmed.count == count)
        #expect(state.confirmedAfterRestart > 0, "publishes after the restart were confirmed")
        #expect(state.confirmed.isSubset(of: state.delivered))
        print("broker restart: \(count) confirmed (\(state.confirmedAfterRestart) after the restart), \(state.deliveries) deliveries (\(state.deliveries - state.delivered.count) redelivered)")
        await subscription.cancel()
        try await pubsub.close()
    }
}
