import CloudEvents
import NATSClient
import OutriggerCore

/// Which stream holds a topic, looked up once per topic.
///
/// - With `streamName`: that stream. It is created (file storage, the topic as its subject)
///   when missing, and the topic's subject is added to its subjects when none of them
///   captures it, so a topic can be published to and subscribed at once.
/// - Without: the stream whose subjects capture the topic (`STREAM.NAMES` with a subject
///   filter, as daprd looks it up); none is an error that says to create one or set
///   `streamName`.
///
/// An actor, so two subscriptions of new topics never update the stream's subjects at once.
actor StreamCatalog {
    private let streamName: String?
    private var known: [String: String] = [:]

    init(streamName: String?) {
        self.streamName = streamName
    }

    /// The stream of `topic`, created or extended as described above.
    func stream(for topic: String, on connection: NATSConnection) async throws -> String {
        if let stream = known[topic] { return stream }
        let stream = try await resolve(topic, connection)
        known[topic] = stream
        return stream
    }

    /// Forgets `topic`'s stream (a publish found no stream capturing it: deleted meanwhile).
    func forget(_ topic: String) {
        known.removeValue(forKey: topic)
    }

    private func resolve(_ topic: String, _ connection: NATSConnection) async throws -> String {
        guard let streamName else { return try await lookUp(topic, connection) }
        guard let info = try await connection.streamInfo(streamName) else {
            return try await connection.putStream(streamName, subjects: [topic], create: true).name
        }
        if info.subjects.contains(where: { SubjectPattern.matches($0, topic) }) { return info.name }
        return try await connection.putStream(streamName, subjects: info.subjects + [topic], create: false).name
    }

    private func lookUp(_ topic: String, _ connection: NATSConnection) async throws -> String {
        let body = JSONValue.object(JSONObject([("subject", .string(topic))]))
        let reply = try await connection.jetStreamRequest("STREAM.NAMES", body: body.serialized())
        let answer = try JSONValue(parsing: reply)
        if let error = answer["error"] {
            throw ComponentError(.retriable, "jetstream: looking up the stream of \(topic): \(error["description"]?.stringValue ?? "\(error)")")
        }
        guard case .array(let names)? = answer["streams"], let name = names.first?.stringValue else {
            throw ComponentError(.terminal, "jetstream: no stream captures subject '\(topic)': create one, or set streamName")
        }
        return name
    }
}
