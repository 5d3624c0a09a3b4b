import Foundation
import Testing
@testable import NATSClient

/// The nats-server -js of conformance/brokers.sh; tests skip (fail in CI) when it is absent.
enum SharedServer {
    static let url = "nats://127.0.0.1:4222"

    /// A connection to the shared server, or a cancelled test when nothing listens there.
    static func connect() async throws -> NATSConnection {
        let result: Result<NATSConnection, NATSError> = await {
            do throws(NATSError) {
                return .success(try await NATSConnection.connect(NATSConnectionOptions(url: url, requestTimeout: .seconds(10))))
            } catch {
                return .failure(error)
            }
        }()
        if case .failure(let error) = result, error.kind == .connection {
            let reason = "nats-server -js is not running on 127.0.0.1:4222 (make brokers-up): \(error)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: reason)) }
            try Test.cancel(Comment(rawValue: reason))
        }
        return try result.get()
    }

    /// A name no other test uses.
    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// A stream of one subject and a durable pull consumer on it, deleted at the end.
struct Scratch {
    let connection: NATSConnection
    let stream: String
    let subject: String

    static func make(ackWait: Duration = .seconds(30)) async throws -> (Scratch, ConsumerInfo) {
        let connection = try await SharedServer.connect()
        let stream = SharedServer.unique("natsclient")
        let subject = stream
        _ = try await connection.putStream(stream, subjects: [subject], create: true)
        let info = try await connection.addConsumer(stream: stream, ConsumerConfiguration(durableName: "reader", filterSubject: subject, ackWait: ackWait))
        return (Scratch(connection: connection, stream: stream, subject: subject), info)
    }

    /// Runs `body` with a new scratch stream, and removes the stream afterwards (also when
    /// `body` throws).
    static func with(ackWait: Duration = .seconds(30), _ body: (Scratch) async throws -> Void) async throws {
        let (scratch, _) = try await make(ackWait: ackWait)
        do {
            try await body(scratch)
        } catch {
            await scratch.remove()
            throw error
        }
        await scratch.remove()
    }

    func subscribe() async throws -> JetStreamSubscription {
        try await connection.pullSubscribe(subject: subject, stream: stream, consumer: "reader")
    }

    func publish(_ text: String, id: String? = nil) async throws -> PublishAck {
        try await connection.publish(subject: subject, data: Array(text.utf8), messageID: id)
    }

    /// Returns once the server holds a pull request of the consumer (deadline 10 s).
    func untilPullWaits() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(10))
        while try await connection.consumerInfo(stream: stream, name: "reader")?.waitingPulls ?? 0 == 0 {
            guard clock.now < deadline else { throw NATSError(kind: .timeout, code: "test", text: "no pull request arrived") }
            await Task.yield()
        }
    }

    func remove() async {
        try? await connection.deleteStream(stream)
        await connection.close()
    }
}

extension JetStreamMessage {
    var text: String { String(decoding: data, as: UTF8.self) }
}
