import Foundation
import MQTTClient
import MQTTComponents
import OutriggerCore
import Synchronization
import Testing

/// Messages a handler received, awaited with a deadline.
final class Inbox: Sendable {
    private let state = Mutex<(messages: [IncomingMessage], waiters: [(Int, CheckedContinuation<Void, Never>)])>(([], []))

    func add(_ message: IncomingMessage) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.messages.append(message)
            let count = state.messages.count
            let ready = state.waiters.filter { $0.0 <= count }.map(\.1)
            state.waiters.removeAll { $0.0 <= count }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    var messages: [IncomingMessage] { state.withLock { $0.messages } }

    /// Waits until `count` messages arrived; false after `limit`.
    func wait(for count: Int, limit: Duration = .seconds(60)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done = self.state.withLock { state -> Bool in
                        if state.messages.count >= count { return true }
                        state.waiters.append((count, continuation))
                        return false
                    }
                    if done { continuation.resume() }
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            if !first { self.state.withLock { state in state.waiters.forEach { $0.1.resume() }; state.waiters = [] } }
            group.cancelAll()
            return first && self.messages.count >= count
        }
    }
}

@Suite("pubsub.mqtt3 against the shared mosquitto")
struct MQTTPubSubTests {
    static let port = Int(ProcessInfo.processInfo.environment["MQTT_TEST_PORT"] ?? "") ?? 1883

    static func unique(_ name: String) -> String { "outrigger-test-\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    func pubsub(_ extra: [String: String] = [:]) async throws -> MQTTPubSub {
        try await MQTTPubSub.start(metadata: ComponentMetadata(
            name: "mqtt", type: "pubsub.mqtt3", appID: "tests",
            properties: ["url": "tcp://127.0.0.1:\(Self.port)", "consumerID": Self.unique("c")].merging(extra) { $1 }))
    }

    func raw(_ clientID: String = unique("raw")) async throws -> MQTTConnection {
        try await MQTTConnection.connect(MQTTConfiguration(host: "127.0.0.1", port: Self.port, clientID: clientID, cleanSession: true))
    }

    @Test("a published message is on the wire as its bytes, unchanged, on the topic as named (what daprd reads)")
    func publishWireFormat() async throws {
        let topic = Self.unique("wire-out")
        let reader = try await raw()
        try await reader.subscribe(topic, qos: 1)
        let component = try await pubsub()
        let body = Array(#"{"specversion":"1.0","id":"1","data":{"a":1}}"#.utf8)
        try await component.publish(OutgoingMessage(topic: topic, data: body, contentType: "application/cloudevents+json"))
        let message = try await reader.nextMessage()
        message.accept()
        #expect(message.payload == body)
        #expect(message.topic == topic)
        #expect(message.qos == 1)
        #expect(!message.retained)
        await reader.close()
        try await component.close()
    }

    @Test("a message published by another client (daprd) arrives as its bytes with metadata retained=false")
    func subscribeWireFormat() async throws {
        let topic = Self.unique("wire-in")
        let component = try await pubsub()
        let inbox = Inbox()
        let subscription = try await component.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { inbox.add($0) }
        let writer = try await raw()
        try await writer.publish(topic: topic, payload: Array("raw bytes".utf8), qos: 1, retain: false)
        #expect(await inbox.wait(for: 1))
        #expect(inbox.messages.first?.data == Array("raw bytes".utf8))
        #expect(inbox.messages.first?.metadata["retained"] == "false")
        #expect(inbox.messages.first?.topic == topic)
        await subscription.cancel()
        await writer.close()
        try await component.close()
    }

    @Test("publish metadata retain=true makes the broker keep the message for later subscribers")
    func retainOverride() async throws {
        let topic = Self.unique("retain")
        let component = try await pubsub()
        try await component.publish(OutgoingMessage(topic: topic, data: Array("kept".utf8), contentType: "text/plain", metadata: ["retain": "true"]))
        let inbox = Inbox()
        let subscription = try await component.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { inbox.add($0) }
        #expect(await inbox.wait(for: 1))
        #expect(inbox.messages.first?.metadata["retained"] == "true")
        await subscription.cancel()
        // Clear the retained message: an empty retained publish removes it.
        try await component.publish(OutgoingMessage(topic: topic, data: [], contentType: "text/plain", metadata: ["retain": "true"]))
        await #expect(throws: ComponentError.self) {
            try await component.publish(OutgoingMessage(topic: topic, data: [], contentType: "text/plain", metadata: ["retain": "maybe"]))
        }
        try await component.close()
    }

    @Test("a handler that throws gets the message again, and it is acknowledged once handled")
    func failedHandlerRedelivered() async throws {
        let topic = Self.unique("fail")
        let component = try await pubsub()
        let attempts = Mutex(0)
        let inbox = Inbox()
        let subscription = try await component.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { message in
            let attempt = attempts.withLock { count -> Int in
                count += 1
                return count
            }
            if attempt == 1 { throw ComponentError(.retriable, "first attempt fails") }
            inbox.add(message)
        }
        try await component.publish(OutgoingMessage(topic: topic, data: Array("once".utf8), contentType: "text/plain"))
        #expect(await inbox.wait(for: 1))
        #expect(attempts.withLock { $0 } == 2)
        await subscription.cancel()
        try await component.close()
    }

    @Test("a wildcard subscription delivers each matching topic under its own name")
    func wildcard() async throws {
        let base = Self.unique("wild")
        let component = try await pubsub()
        #expect(component.features.contains(.subscribeWildcards))
        let inbox = Inbox()
        let subscription = try await component.subscribe(SubscribeRequest(topic: "\(base)/#", consumerGroup: "g")) { inbox.add($0) }
        try await component.publish(OutgoingMessage(topic: "\(base)/a", data: [1], contentType: "text/plain"))
        try await component.publish(OutgoingMessage(topic: "\(base)/b/c", data: [2], contentType: "text/plain"))
        #expect(await inbox.wait(for: 2))
        #expect(Set(inbox.messages.map(\.topic)) == ["\(base)/a", "\(base)/b/c"])
        await subscription.cancel()
        try await component.close()
    }

    @Test("messages published while a subscription is stopped wait in its session for the next one")
    func persistentSession() async throws {
        let topic = Self.unique("session")
        let component = try await pubsub()
        let first = try await component.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { _ in }
        await first.cancel()
        try await component.publish(OutgoingMessage(topic: topic, data: Array("while away".utf8), contentType: "text/plain"))
        let inbox = Inbox()
        let second = try await component.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { inbox.add($0) }
        #expect(await inbox.wait(for: 1))
        #expect(inbox.messages.first?.data == Array("while away".utf8))
        await second.cancel()
        try await component.close()
    }

    @Test("with unsubscribeOnClose the stopped subscription's session collects nothing more")
    func unsubscribeOnClose() async throws {
        let topic = Self.unique("unsub")
        let component = try await pubsub()
        let first = try await component.subscribe(SubscribeRequest(topic: topic, metadata: ["unsubscribeOnClose": "true"], consumerGroup: "g")) { _ in }
        await first.cancel()
        try await component.publish(OutgoingMessage(topic: topic, data: Array("missed".utf8), contentType: "text/plain"))
        let inbox = Inbox()
        let second = try await component.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { inbox.add($0) }
        try await component.publish(OutgoingMessage(topic: topic, data: Array("marker".utf8), contentType: "text/plain"))
        #expect(await inbox.wait(for: 1))
        #expect(inbox.messages.first?.data == Array("marker".utf8))
        await second.cancel()
        try await component.close()
    }

    @Test("an unreachable broker fails start-up naming url; ping answers on a live one")
    func startup() async throws {
        await #expect(throws: ComponentConfigurationError.self) {
            _ = try await MQTTPubSub.start(metadata: ComponentMetadata(name: "m", type: "pubsub.mqtt3", appID: "a", properties: ["url": "tcp://127.0.0.1:1"]))
        }
        let component = try await pubsub()
        try await component.ping()
        #expect(component.health == .connected)
        try await component.close()
        #expect(component.health == .closed)
    }
}

@Suite("bindings.mqtt3 against the shared mosquitto")
struct MQTTBindingTests {
    @Test("create publishes to the request's topic, and the input side reports the topic it read from")
    func createAndRead() async throws {
        let base = MQTTPubSubTests.unique("binding")
        let binding = try await MQTTBinding.start(metadata: ComponentMetadata(
            name: "b", type: "bindings.mqtt3", appID: "a",
            properties: ["url": "tcp://127.0.0.1:\(MQTTPubSubTests.port)", "consumerID": MQTTPubSubTests.unique("b"), "topic": "\(base)/+"]))
        #expect(binding.operations == ["create"])
        let events = Mutex<[BindingEvent]>([])
        let inbox = Inbox()
        let reading = try await binding.read { event in
            events.withLock { $0.append(event) }
            inbox.add(IncomingMessage(topic: "", data: event.data))
        }
        _ = try await binding.invoke(BindingRequest(operation: "create", data: Array("hi".utf8), metadata: ["topic": "\(base)/x"]))
        #expect(await inbox.wait(for: 1))
        let event = try #require(events.withLock { $0.first })
        #expect(event.data == Array("hi".utf8))
        #expect(event.metadata["topic"] == "\(base)/x")
        await #expect(throws: ComponentError.self) { _ = try await binding.read { _ in } }
        await reading.cancel()
        try await binding.close()
    }
}
