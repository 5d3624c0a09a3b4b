import MQTTClient
import OutriggerTesting
import Testing

@Suite("MQTTConnection against the shared mosquitto")
struct MQTTConnectionTests {
    func connect(_ clientID: String, cleanSession: Bool = false) async throws -> MQTTConnection {
        try await MQTTConnection.connect(MQTTConfiguration(host: TestBroker.host, port: TestBroker.port, clientID: clientID, cleanSession: cleanSession))
    }

    @Test("a QoS 1 publish returns after its PUBACK and a subscriber receives the bytes")
    func publishAndReceive() async throws {
        let topic = TestBroker.unique("roundtrip")
        let subscriber = try await connect(TestBroker.unique("sub"), cleanSession: true)
        let publisher = try await connect(TestBroker.unique("pub"), cleanSession: true)
        try await subscriber.subscribe(topic, qos: 1)
        try await publisher.publish(topic: topic, payload: Array("hello".utf8), qos: 1, retain: false)
        let message = try await withDeadline(.seconds(60), "the message") { try await subscriber.nextMessage() }
        message.accept()
        #expect(message.topic == topic)
        #expect(message.payload == Array("hello".utf8))
        #expect(message.qos == 1)
        await publisher.close()
        await subscriber.close()
    }

    @Test("a rejected QoS 1 message comes back when the session reconnects")
    func rejectedIsRedelivered() async throws {
        let topic = TestBroker.unique("reject")
        let clientID = TestBroker.unique("session")
        let first = try await connect(clientID)
        try await first.subscribe(topic, qos: 1)
        let publisher = try await connect(TestBroker.unique("pub"), cleanSession: true)
        try await publisher.publish(topic: topic, payload: Array("again".utf8), qos: 1, retain: false)
        let message = try await withDeadline(.seconds(60), "the first delivery") { try await first.nextMessage() }
        message.reject()
        await #expect(throws: MQTTError.self) { try await withDeadline(.seconds(60), "the end of the connection") { try await first.nextMessage() } }
        #expect(first.endReason != nil)
        await first.close()
        let second = try await connect(clientID)
        let again = try await withDeadline(.seconds(60), "the redelivery") { try await second.nextMessage() }
        again.accept()
        #expect(again.payload == Array("again".utf8))
        await second.close()
        // Tidy the broker: a clean session removes the persistent one.
        await (try? connect(clientID, cleanSession: true))?.close()
        await publisher.close()
    }

    /// A persistent session (client id returned) subscribed to `filter`, whose one message
    /// ("again", published to `topic` by the returned publisher) was rejected: the broker keeps
    /// it for the session's next connection.
    func sessionKeepingOneMessage(filter: String, topic: String) async throws -> (clientID: String, publisher: MQTTConnection) {
        let clientID = TestBroker.unique("session")
        let first = try await connect(clientID)
        try await first.subscribe(filter, qos: 1)
        let publisher = try await connect(TestBroker.unique("pub"), cleanSession: true)
        try await publisher.publish(topic: topic, payload: Array("again".utf8), qos: 1, retain: false)
        let message = try await withDeadline(.seconds(60), "the first delivery") { try await first.nextMessage() }
        message.reject()
        await first.close()
        return (clientID, publisher)
    }

    @Test("a rejected message of a shared subscription comes back when the session reconnects")
    func rejectedSharedIsRedelivered() async throws {
        let topic = TestBroker.unique("reject-shared")
        let filter = "$share/group/\(topic)"
        let (clientID, publisher) = try await sessionKeepingOneMessage(filter: filter, topic: topic)
        let second = try await connect(clientID)
        #expect(second.sessionPresent)
        // The stored message comes before the SUBACK: the subscribe returns once it is held.
        try await withDeadline(.seconds(60), "the subscription") { try await second.subscribe(filter, qos: 1) }
        let again = try await withDeadline(.seconds(60), "the redelivery") { try await second.nextMessage() }
        again.accept()
        #expect(again.payload == Array("again".utf8))
        await second.close()
        await (try? connect(clientID, cleanSession: true))?.close()
        await publisher.close()
    }

    @Test("an accepted message is not delivered again on the next connection of the session")
    func acceptedIsNotRedelivered() async throws {
        let topic = TestBroker.unique("accept")
        let clientID = TestBroker.unique("session")
        let first = try await connect(clientID)
        try await first.subscribe(topic, qos: 1)
        let publisher = try await connect(TestBroker.unique("pub"), cleanSession: true)
        try await publisher.publish(topic: topic, payload: Array("one".utf8), qos: 1, retain: false)
        let message = try await withDeadline(.seconds(60), "the delivery") { try await first.nextMessage() }
        message.accept()
        await first.close()
        let second = try await connect(clientID)
        // A marker published after the reconnect arrives first if nothing was redelivered.
        try await publisher.publish(topic: topic, payload: Array("marker".utf8), qos: 1, retain: false)
        let next = try await withDeadline(.seconds(60), "the marker") { try await second.nextMessage() }
        next.accept()
        #expect(next.payload == Array("marker".utf8))
        await second.close()
        await (try? connect(clientID, cleanSession: true))?.close()
        await publisher.close()
    }

    @Test("a wildcard subscription receives every matching topic and reports the real one")
    func wildcard() async throws {
        let base = TestBroker.unique("wild")
        let subscriber = try await connect(TestBroker.unique("sub"), cleanSession: true)
        try await subscriber.subscribe("\(base)/+/temp", qos: 1)
        let publisher = try await connect(TestBroker.unique("pub"), cleanSession: true)
        try await publisher.publish(topic: "\(base)/kitchen/temp", payload: [1], qos: 1, retain: false)
        try await publisher.publish(topic: "\(base)/kitchen/humidity", payload: [2], qos: 1, retain: false)
        try await publisher.publish(topic: "\(base)/hall/temp", payload: [3], qos: 1, retain: false)
        var topics: [String] = []
        for _ in 0..<2 {
            let message = try await withDeadline(.seconds(60), "a matching message") { try await subscriber.nextMessage() }
            message.accept()
            topics.append(message.topic)
        }
        #expect(topics == ["\(base)/kitchen/temp", "\(base)/hall/temp"])
        await publisher.close()
        await subscriber.close()
    }

    @Test("connecting to a port where nothing listens fails with a connection error naming the address and the refusal")
    func unreachable() async throws {
        let error = await #expect(throws: MQTTError.self) {
            _ = try await MQTTConnection.connect(MQTTConfiguration(host: "127.0.0.1", port: 1, clientID: TestBroker.unique("none")))
        }
        guard case .connectionLost(let reason)? = error else {
            Issue.record("expected connectionLost, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("127.0.0.1:1") && reason.lowercased().contains("refused"), "\(reason)")
    }

    @Test("a host that never answers the TCP connect fails after the connect timeout, not the kernel's retries")
    func blackHole() async throws {
        let listener = try FullBacklogListener()
        defer { listener.close() }
        let started = ContinuousClock.now
        let error = await #expect(throws: MQTTError.self) {
            _ = try await MQTTConnection.connect(
                MQTTConfiguration(host: "127.0.0.1", port: listener.port, clientID: TestBroker.unique("void"), connectTimeout: .milliseconds(300)))
        }
        // Generous for a loaded CI box; a connect(2) that blocks takes over two minutes.
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(error == .connectTimedOut, "\(String(describing: error))")
    }

    @Test("waiting for a message ends with CancellationError when the task is cancelled")
    func cancelledWait() async throws {
        let subscriber = try await connect(TestBroker.unique("sub"), cleanSession: true)
        let waiting = Task { try await subscriber.nextMessage() }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        #expect(subscriber.isConnected)
        await subscriber.close()
    }

    @Test("close ends every later call with an error")
    func closeEnds() async throws {
        let connection = try await connect(TestBroker.unique("closing"), cleanSession: true)
        await connection.close()
        #expect(!connection.isConnected)
        await #expect(throws: MQTTError.self) { try await connection.publish(topic: "x", payload: [], qos: 1, retain: false) }
    }
}
