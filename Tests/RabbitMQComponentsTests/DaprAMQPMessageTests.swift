import AMQPClient
import OutriggerCore
import Testing

@testable import RabbitMQComponents

@Suite("pubsub.rabbitmq messages")
struct DaprAMQPMessageTests {
    @Test("a publish carries daprd's properties: text/plain, routing key, ttl, priority, ids")
    func publishing() {
        let message = OutgoingMessage(topic: "t", data: [1], contentType: "application/cloudevents+json", metadata: [
            "routingKey": "a.b", "ttlInSeconds": "5", "priority": "7", "messageID": "m", "correlationID": "c", "type": "k",
        ])
        let (key, properties) = DaprAMQPMessage.publishing(message, deliveryMode: 2, defaultTTL: .seconds(60))
        #expect(key == "a.b")
        #expect(properties == AMQPMessageProperties(contentType: "text/plain", deliveryMode: 2, priority: 7, expiration: "5000", messageID: "m", correlationID: "c", type: "k"))
    }

    @Test("the component's ttlInSeconds applies when the message has none; bad values are left out")
    func defaults() {
        let message = OutgoingMessage(topic: "t", data: [], contentType: "", metadata: ["priority": "999", "contenttype": "application/json"])
        let (key, properties) = DaprAMQPMessage.publishing(message, deliveryMode: 0, defaultTTL: .seconds(60))
        #expect(key == "")
        #expect(properties == AMQPMessageProperties(contentType: "application/json", expiration: "60000"))
    }
}
