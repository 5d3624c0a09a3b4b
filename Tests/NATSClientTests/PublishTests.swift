import Testing
@testable import NATSClient

@Suite("Publishing to JetStream")
struct PublishTests {
    @Test("a publish returns the stream's PubAck with the next sequence")
    func pubAck() async throws {
        try await Scratch.with { scratch in
            let first = try await scratch.publish("one")
            let second = try await scratch.publish("two")
            #expect(first.stream == scratch.stream)
            #expect(second.sequence == first.sequence + 1)
            #expect(!second.duplicate)
        }
    }

    @Test("a second publish with the same message id is reported as a duplicate")
    func duplicate() async throws {
        try await Scratch.with { scratch in
            _ = try await scratch.publish("one", id: "same-id")
            let again = try await scratch.publish("one", id: "same-id")
            #expect(again.duplicate)
        }
    }

    @Test("the message id travels as the Nats-Msg-Id header")
    func messageIDHeader() async throws {
        try await Scratch.with { scratch in
            _ = try await scratch.publish("with id", id: "event-42")
            let subscription = try await scratch.subscribe()
            let messages = try await subscription.fetch(max: 1, wait: .seconds(60))
            #expect(messages.first?.headers["Nats-Msg-Id"] == "event-42")
            #expect(messages.first?.text == "with id")
            #expect(messages.first?.subject == scratch.subject)
        }
    }

    @Test("many publishes at once each get their own PubAck")
    func batch() async throws {
        try await Scratch.with { scratch in
            let results = await scratch.connection.publish(batch: (1...50).map { (scratch.subject, Array("m\($0)".utf8), nil) })
            let sequences = results.compactMap { try? $0.get().sequence }
            #expect(sequences.count == 50)
            #expect(Set(sequences).count == 50)
        }
    }

    @Test("a publish to a subject no stream captures fails with no responders")
    func noStream() async throws {
        let connection = try await SharedServer.connect()
        await #expect(throws: NATSError.self) {
            _ = try await connection.publish(subject: SharedServer.unique("nostream"), data: [1], messageID: nil)
        }
        await connection.close()
    }

    @Test("a publish after close fails with a connection error")
    func afterClose() async throws {
        let connection = try await SharedServer.connect()
        await connection.close()
        #expect(connection.isClosed)
        do {
            _ = try await connection.publish(subject: "anything", data: [1], messageID: nil)
            Issue.record("publish after close succeeded")
        } catch {
            #expect(error.isConnectionProblem)
        }
    }
}
