import CLibraryLoader
import NIOCore
@testable import RedisClient
import Testing

@Suite("RESP through hiredis's reader and formatter, without a server")
struct ProtocolTests {
    /// hiredis is loaded on first use, by the first connection; these tests make no connection,
    /// and whether another test connected first in this process depends on the order they ran in
    /// (a hiredis function called before the load ends the process).
    init() throws {
        if let failure = outrigger_load_hiredis() { throw LibraryMissing(reason: String(cString: failure)) }
    }

    struct LibraryMissing: Error {
        let reason: String
    }
    @Test("replies split anywhere and several per read come out whole and in order")
    func readerAcrossReads() throws {
        let reader = HiredisReader()
        var replies: [RedisValue] = []
        for chunk in ["+OK\r\n:4", "2\r\n$3\r\nab", "c\r\n*3\r\n$-1\r\n-ERR nested\r\n*0\r\n", "$0\r\n\r\n"] {
            try reader.feed(ByteBuffer(string: chunk))
            while let value = try reader.next() { replies.append(value) }
        }
        #expect(replies == [
            .simpleString("OK"), .integer(42), .bulkString(Array("abc".utf8)),
            .array([.null, .error("ERR nested"), .array([])]), .bulkString([]),
        ])
    }

    @Test("bytes that are not RESP are a protocol error")
    func readerRejectsGarbage() throws {
        let reader = HiredisReader()
        #expect(throws: RedisError.self) {
            try reader.feed(ByteBuffer(string: "?what\r\n"))
            _ = try reader.next()
        }
    }

    @Test("commands are written as RESP arrays of bulk strings, binary-safe")
    func formatter() {
        var command = RedisCommand("SET", "k")
        command.append(bytes: [0, 13, 10])
        var buffer = ByteBuffer()
        HiredisCommandFormatter.write(command, into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\u{0}\r\n\r\n")
        #expect(command.description == "SET (2 arguments)")
    }
}
