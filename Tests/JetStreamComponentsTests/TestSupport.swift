import Foundation
import NATSClient
import OutriggerCore
import Synchronization
import Testing
@testable import JetStreamComponents

/// The nats-server -js of conformance/brokers.sh on 4222.
enum SharedBroker {
    static let url = "nats://127.0.0.1:4222"

    /// Cancels the test (an Issue in CI) when nothing listens on 4222.
    static func require() throws {
        guard !TCPPortCheck.accepts(port: 4222) else { return }
        let reason = "nats-server -js is not running on 127.0.0.1:4222 (make brokers-up)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: reason)) }
        try Test.cancel(Comment(rawValue: reason))
    }

    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A started component on `url` with `properties`.
    static func component(_ properties: [String: String], url: String = url) async throws -> JetStreamPubSub {
        let metadata = ComponentMetadata(name: "jetstream-test", type: "pubsub.jetstream", appID: "tests", properties: ["natsURL": url].merging(properties) { $1 })
        return try await JetStreamPubSub.start(metadata: metadata)
    }

    static func client(url: String = url) async throws -> NATSConnection {
        try await NATSConnection.connect(NATSConnectionOptions(url: url, requestTimeout: .seconds(10)))
    }

    /// Runs `body`, then closes the components and deletes the streams it registered with the
    /// ``Cleanup`` (also when it throws), so the shared server keeps nothing of the test.
    static func scoped(_ body: (Cleanup) async throws -> Void) async throws {
        try require()
        let cleanup = Cleanup()
        do {
            try await body(cleanup)
        } catch {
            await cleanup.run()
            throw error
        }
        await cleanup.run()
    }
}

/// What a test made on the shared server.
final class Cleanup: Sendable {
    private let streams = Mutex<[String]>([])
    private let components = Mutex<[JetStreamPubSub]>([])
    private let connections = Mutex<[NATSConnection]>([])

    /// A unique stream name, deleted at the end.
    func stream(_ prefix: String) -> String {
        let name = SharedBroker.unique(prefix)
        streams.withLock { $0.append(name) }
        return name
    }

    /// A started component on the shared server, closed at the end.
    func component(_ properties: [String: String]) async throws -> JetStreamPubSub {
        let pubsub = try await SharedBroker.component(properties)
        components.withLock { $0.append(pubsub) }
        return pubsub
    }

    /// A client connection to the shared server, closed at the end.
    func client() async throws -> NATSConnection {
        let connection = try await SharedBroker.client()
        connections.withLock { $0.append(connection) }
        return connection
    }

    func run() async {
        for pubsub in components.withLock({ $0 }) { try? await pubsub.close() }
        if let client = try? await SharedBroker.client() {
            for stream in streams.withLock({ $0 }) { try? await client.deleteStream(stream) }
            await client.close()
        }
        for connection in connections.withLock({ $0 }) { await connection.close() }
    }
}

/// What handlers received, awaited with a deadline.
actor Received {
    private(set) var messages: [IncomingMessage] = []
    private(set) var times: [ContinuousClock.Instant] = []
    private var running = 0
    private(set) var mostAtOnce = 0

    func record(_ message: IncomingMessage) {
        messages.append(message)
        times.append(.now)
    }

    func started() {
        running += 1
        mostAtOnce = max(mostAtOnce, running)
    }

    func ended() { running -= 1 }

    private(set) var marks: Set<String> = []

    func mark(_ name: String) { marks.insert(name) }

    /// Waits until `name` was marked, at most `limit`.
    func until(marked name: String, _ limit: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while !marks.contains(name) {
            guard ContinuousClock.now < deadline else { throw ComponentError(.terminal, "\(name) not marked within \(limit)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    var payloads: [String] { messages.map { String(decoding: $0.data, as: UTF8.self) } }

    /// Waits until `condition` holds for the payloads received, at most `limit`.
    func until(_ limit: Duration = .seconds(30), _ condition: @Sendable ([String]) -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while !condition(payloads) {
            guard ContinuousClock.now < deadline else {
                throw ComponentError(.terminal, "not received within \(limit): have \(payloads.count) messages")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
