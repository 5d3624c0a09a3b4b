@testable import AMQPClient
import Testing

/// The connection's thread corks its socket while it runs a batch of jobs, so the batch's
/// publishes share segments; nothing that waits for the broker may stay corked.
@Suite("AMQP socket corking")
struct CorkTests {
    struct Corking: Equatable, Sendable {
        var flag: Bool
        var socket: Bool
    }

    @Test("a job that waits for the broker's answer uncorks first; the loop uncorks after every batch")
    func uncorks() async throws {
        let connection = try await AMQPConnectionTests.connect()
        defer { Task { await connection.close() } }
        let (corked, afterChannelOpen) = try await connection.perform { session throws(AMQPError) in
            session.cork()
            let corked = Corking(flag: session.corked, socket: session.socketIsCorked)
            // channel.open waits for channel.open-ok: corked, its request would wait out the
            // kernel's 200 ms limit first.
            _ = try session.openChannel { AMQPChannel(number: $0, connection: connection) }
            return (corked, Corking(flag: session.corked, socket: session.socketIsCorked))
        }
        #expect(corked == Corking(flag: true, socket: true))
        #expect(afterChannelOpen == Corking(flag: false, socket: false))

        // Corked and left so by a job: the next job finds the socket open again.
        try await connection.perform { session throws(AMQPError) in session.cork() }
        let nextJob = try await connection.perform { session throws(AMQPError) in Corking(flag: session.corked, socket: session.socketIsCorked) }
        #expect(nextJob == Corking(flag: false, socket: false))
    }

    @Test("a synchronous method on a channel uncorks before it writes its request")
    func rpcUncorks() async throws {
        let connection = try await AMQPConnectionTests.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let after = try await connection.perform { session throws(AMQPError) in
            session.cork()
            try session.enableConfirms(channel)  // confirm.select, answered by select-ok
            return Corking(flag: session.corked, socket: session.socketIsCorked)
        }
        #expect(after == Corking(flag: false, socket: false))
    }
}
