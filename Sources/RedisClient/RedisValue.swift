/// One reply from Redis (RESP2), as hiredis's reader parsed it.
///
/// A top-level error reply is never a value: ``RedisConnection/send(_:timeout:)`` throws it as
/// ``RedisError/server(_:)``. Errors nested in an array (the results of `EXEC`) stay values.
public enum RedisValue: Sendable, Hashable {
    /// `+OK`, `+PONG`: a status line.
    case simpleString(String)
    /// An error nested in an array.
    case error(String)
    /// An integer reply (`INCR`, `XACK`, `XLEN` ...).
    case integer(Int64)
    /// A binary-safe string.
    case bulkString([UInt8])
    /// A nil bulk string or nil array (`GET` of a missing key, a `BLOCK` that timed out).
    case null
    /// A multi-bulk reply; elements may be of any kind, arrays included.
    case array([RedisValue])

    /// The text of a status line or bulk string (bulk strings decoded as UTF-8).
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes of a bulk string or status line.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    /// An integer reply.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The elements of an array reply.
    public var array: [RedisValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is the nil reply.
    public var isNull: Bool { self == .null }
}
