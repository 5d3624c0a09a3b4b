import CHiredis
import NIOCore

/// hiredis's RESP reader (`redisReader`): bytes go in as they arrive from the socket, whole
/// replies come out as ``RedisValue``s. `redisReaderFree` in `deinit`.
///
/// Not thread-safe and not `Sendable`: one per connection, used only on that channel's event
/// loop by ``RedisChannelHandler``.
final class HiredisReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        guard let reader = redisReaderCreate() else { fatalError("hiredis could not allocate a reply reader") }
        self.reader = reader
    }

    deinit {
        redisReaderFree(reader)
    }

    /// Hands received bytes to the reader (it copies them).
    func feed(_ buffer: ByteBuffer) throws(RedisError) {
        let status = buffer.withUnsafeReadableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return REDIS_OK }
            return redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard status == REDIS_OK else { throw .protocolError(errorText) }
    }

    /// The next complete reply, or `nil` when more bytes are needed. A server error reply is
    /// returned as ``RedisValue/error(_:)``; the caller decides whether it is top-level.
    func next() throws(RedisError) -> RedisValue? {
        var reply: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &reply) == REDIS_OK else { throw .protocolError(errorText) }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return Self.value(of: reply.assumingMemoryBound(to: redisReply.self))
    }

    private var errorText: String {
        withUnsafeBytes(of: reader.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func value(of reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING: return .bulkString(bytes(node))
        case REDIS_REPLY_STATUS: return .simpleString(String(decoding: bytes(node), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: bytes(node), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(node.integer)
        case REDIS_REPLY_ARRAY:
            guard let elements = node.element else { return .array([]) }
            return .array((0..<node.elements).map { index in
                elements[index].map(value(of:)) ?? .null
            })
        default: return .null
        }
    }

    private static func bytes(_ node: redisReply) -> [UInt8] {
        guard let text = node.str, node.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: text, count: node.len))
    }
}
