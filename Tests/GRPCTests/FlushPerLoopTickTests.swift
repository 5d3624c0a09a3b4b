import NIOCore
import NIOEmbedded
import OutriggerGRPCAPI
import Testing

/// ``FlushPerLoopTick``: the flushes of one loop turn become one, and none waits for a clock.
@Suite("gRPC connection flushes once per loop turn")
struct FlushPerLoopTickTests {
    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FlushPerLoopTick())
        return channel
    }

    func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("writes flushed during a turn go out when the turn's jobs run, in order, without the clock moving")
    func flushesAfterTheTurn() throws {
        let channel = try channel()
        for text in ["a", "b", "c"] {
            channel.writeAndFlush(bytes(text), promise: nil)
        }
        // Still inside the turn: the flush is queued, nothing has reached the socket.
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        // The loop's jobs run with the clock standing still: no timer is involved.
        channel.embeddedEventLoop.run()
        var written: [String] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            written.append(String(buffer: buffer))
        }
        #expect(written == ["a", "b", "c"])
        #expect(try channel.finish().isClean)
    }

    @Test("a second turn gets a flush of its own")
    func everyTurnFlushes() throws {
        let channel = try channel()
        channel.writeAndFlush(bytes("first"), promise: nil)
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == "first")
        channel.writeAndFlush(bytes("second"), promise: nil)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == "second")
        #expect(try channel.finish().isClean)
    }

    @Test("a write without a flush stays unflushed; a close flushes what a queued flush covered first")
    func closeFlushesFirst() throws {
        let channel = try channel()
        channel.write(bytes("unflushed"), promise: nil)
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.writeAndFlush(bytes("last"), promise: nil)
        let closed = channel.close()
        #expect(try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == "unflushed")
        #expect(try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) } == "last")
        channel.embeddedEventLoop.run()
        try closed.wait()
    }
}
