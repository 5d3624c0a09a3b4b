import MQTTClient
import OutriggerTesting
import Testing

/// confirmSubscription: a SUBACK for a SUBSCRIBE sent after an instant.
extension MQTTConnectionTests {

    @Test("confirming after an instant later than the last grant subscribes again and returns on the new SUBACK")
    func subscribesAgain() async throws {
        let filter = TestBroker.unique("confirm")
        let connection = try await connect(TestBroker.unique("sub"), cleanSession: true)
        try await connection.subscribe(filter, qos: 1)
        let first = try #require(connection.grantedSubscription(filter))
        let instant = ContinuousClock.now
        try await withDeadline(.seconds(60), "the new SUBACK") { try await connection.confirmSubscription(filter, qos: 1, sentAfter: instant) }
        let second = try #require(connection.grantedSubscription(filter))
        #expect(first < instant)
        #expect(second > instant)
        await connection.close()
    }

    @Test("confirming after an instant earlier than the last grant returns without a new SUBSCRIBE")
    func alreadyGranted() async throws {
        let filter = TestBroker.unique("confirm")
        let connection = try await connect(TestBroker.unique("sub"), cleanSession: true)
        let instant = ContinuousClock.now
        try await connection.subscribe(filter, qos: 1)
        let granted = try #require(connection.grantedSubscription(filter))
        try await connection.confirmSubscription(filter, qos: 1, sentAfter: instant)
        #expect(connection.grantedSubscription(filter) == granted)
        await connection.close()
    }

    @Test("the SUBACK of a subscribe that returned on a held message is recorded once the message is settled")
    func grantBehindHeldMessage() async throws {
        let topic = TestBroker.unique("held")
        let filter = "$share/group/\(topic)"
        let (clientID, publisher) = try await sessionKeepingOneMessage(filter: filter, topic: topic)
        let second = try await connect(clientID)
        let connectedAt = try #require(second.connectedAt)
        try await withDeadline(.seconds(60), "the subscription") { try await second.subscribe(filter, qos: 1) }
        let again = try await withDeadline(.seconds(60), "the redelivery") { try await second.nextMessage() }
        again.accept()
        try await withDeadline(.seconds(60), "the SUBACK") { try await second.confirmSubscription(filter, qos: 1, sentAfter: connectedAt) }
        #expect(try #require(second.grantedSubscription(filter)) > connectedAt)
        await second.close()
        await (try? connect(clientID, cleanSession: true))?.close()
        await publisher.close()
    }

    @Test("confirming on a closed connection throws its error")
    func closedConnection() async throws {
        let connection = try await connect(TestBroker.unique("sub"), cleanSession: true)
        await connection.close()
        await #expect(throws: MQTTError.self) {
            try await connection.confirmSubscription(TestBroker.unique("confirm"), qos: 1, sentAfter: .now)
        }
    }
}
