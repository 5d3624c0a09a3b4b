import AMQPClient
import OutriggerCore

/// The messages daprd's `pubsub.rabbitmq` puts on and reads from RabbitMQ, so daprd and
/// Outrigger can share an exchange in both directions.
///
/// - Publish: to the exchange named after the topic, routing key from metadata `routingKey`
///   (else empty); body as given (the CloudEvent JSON, or the raw payload); properties
///   `content-type` `text/plain` unless metadata `contentType` says otherwise, `message-id`,
///   `correlation-id` and `type` from metadata `messageID`, `correlationID`, `type`,
///   `delivery-mode` from the component's `deliveryMode`, `priority` from metadata `priority`,
///   `expiration` from metadata `ttlInSeconds` or the component's `ttlInSeconds`.
/// - Deliver: the body is the message; with `publishMessagePropertiesToMetadata` the message
///   id, correlation id, type, content type and string-like headers become `metadata.<name>`.
enum DaprAMQPMessage {
    /// Routing key and properties of `message`. Unusable `ttlInSeconds`/`priority` values are
    /// left out, as daprd does (it logs and publishes without them).
    static func publishing(_ message: OutgoingMessage, deliveryMode: UInt8, defaultTTL: Duration?) -> (routingKey: String, properties: AMQPMessageProperties) {
        let metadata = RequestMetadata(message.metadata)
        var properties = AMQPMessageProperties(contentType: metadata["contentType"] ?? "text/plain")
        properties.deliveryMode = deliveryMode == 0 ? nil : deliveryMode
        if let expiration = try? metadata.expiration() {
            properties.expiration = expiration
        } else if let defaultTTL {
            properties.expiration = String(defaultTTL.components.seconds * 1000)
        }
        properties.priority = (try? metadata.priority()) ?? nil
        properties.messageID = metadata["messageID"]
        properties.correlationID = metadata["correlationID"]
        properties.type = metadata["type"]
        return (metadata["routingKey"] ?? "", properties)
    }

    /// The message a delivery of `topic` carries.
    static func incoming(_ delivery: AMQPDelivery, topic: String, withProperties: Bool) -> IncomingMessage {
        guard withProperties else { return IncomingMessage(topic: topic, data: delivery.body) }
        var metadata: [String: String] = [:]
        let properties = delivery.properties
        if let value = properties.messageID, !value.isEmpty { metadata["metadata.messageid"] = value }
        if let value = properties.correlationID, !value.isEmpty { metadata["metadata.correlationid"] = value }
        if let value = properties.type, !value.isEmpty { metadata["metadata.type"] = value }
        if let value = properties.contentType, !value.isEmpty { metadata["metadata.contenttype"] = value }
        for (key, value) in properties.headers { metadata["metadata.\(key)"] = value.description }
        return IncomingMessage(topic: topic, data: delivery.body, metadata: metadata)
    }
}
