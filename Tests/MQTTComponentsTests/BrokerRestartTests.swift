import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MQTTComponents
import OutriggerCore
import Synchronization
import Testing

/// Payloads received, safe to fill from concurrent handlers; a test awaits a set of them.
final class ReceivedPayloads: Sendable {
    private struct State {
        var seen: Set<String> = []
        var expected: Set<String> = []
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func record(_ payload: String) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.seen.insert(payload)
            guard state.waiter != nil, state.expected.isSubset(of: state.seen) else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func missing(from expected: Set<String>) -> Set<String> { state.withLock { expected.subtracting($0.seen) } }

    /// Waits until every payload of `expected` was received, at most `limit`.
    func wait(for expected: Set<String>, limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done = self.state.withLock { state -> Bool in
                        if expected.isSubset(of: state.seen) { return true }
                        state.expected = expected
                        state.waiter = continuation
                        return false
                    }
                    if done { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            self.state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
            group.cancelAll()
        }
    }
}

/// Holds handlers until opened.
final class HandlerGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state -> Bool in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

@Suite("pubsub.mqtt3 through a broker restart")
struct BrokerRestartTests {
    /// SIGTERM: mosquitto writes its store on the way out. SIGKILL: it keeps only what it
    /// saved; with `autosave_on_changes` and `autosave_interval 1` it saves after every change,
    /// but after the PUBACK went out, so the kill waits for the save that follows the last
    /// acknowledged publish (a kill in between loses that message in the broker, whatever the
    /// client did: mosquitto's limit, documented in docs/components/pubsub.mqtt3.md).
    @Test("every publish the broker acknowledged is delivered at least once across a broker restart", arguments: ["TERM", "KILL"])
    func acknowledgedSurviveRestart(signal: String) async throws {
        let broker = try PrivateBroker()
        try await broker.start()
        let metadata = ComponentMetadata(
            name: "restart", type: "pubsub.mqtt3", appID: "restart-test",
            properties: ["url": broker.url, "consumerID": "restart-\(UUID().uuidString.prefix(8))", "qos": "1"])
        let pubsub = try await MQTTPubSub.start(metadata: metadata)
        let received = ReceivedPayloads()
        // Until the broker is back, the first message stays in its handler, unacknowledged, and
        // the rest wait in the broker's session queue: both must survive the restart.
        let gate = HandlerGate()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: "orders", consumerGroup: "restart")) { message in
            await gate.wait()
            received.record(String(decoding: message.data, as: UTF8.self))
        }
        // `MQTT_RESTART_MESSAGES=10000` for the full-size run (make chaos).
        let total = Int(ProcessInfo.processInfo.environment["MQTT_RESTART_MESSAGES"] ?? "") ?? 300
        var acknowledged = Set<String>()
        for index in 0..<total {
            if index == total / 2 {
                if signal == "KILL" { try await broker.waitForSave(of: "order-\(index - 1)") }
                await broker.stop(signal: signal == "KILL" ? SIGKILL : SIGTERM)
                try await broker.start()
                gate.open()
            }
            let payload = "order-\(index)"
            // What the outbound resiliency policy does: try again until the broker acknowledged it.
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            while true {
                do {
                    try await pubsub.publish(OutgoingMessage(topic: "orders", data: Array(payload.utf8), contentType: "text/plain"))
                    acknowledged.insert(payload)
                    break
                } catch {
                    guard ContinuousClock.now < deadline else { throw error }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        gate.open()
        let expected = acknowledged
        await received.wait(for: expected, limit: .seconds(30))
        let missing = received.missing(from: expected)
        #expect(acknowledged.count == total)
        #expect(missing.isEmpty, "\(missing.count) acknowledged publishes never delivered, e.g. \(missing.sorted().prefix(5))")
        await subscription.cancel()
        try await pubsub.close()
        await broker.stop()
    }
}
