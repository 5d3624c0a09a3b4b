/// A value of an AMQP field table (queue arguments, message headers), as far as the components
/// need them.
public enum AMQPFieldValue: Sendable, Equatable, CustomStringConvertible {
    /// A long string (`S`).
    case string(String)
    /// A signed 64-bit integer (`l`); every other integer type reads as this too.
    case int64(Int64)
    /// An unsigned octet (`B`), as Go's client writes `uint8` (`x-max-priority`).
    case uint8(UInt8)
    /// A boolean (`t`).
    case bool(Bool)
    /// A byte array (`x`).
    case bytes([UInt8])

    /// The value as header metadata shows it.
    public var description: String {
        switch self {
        case .string(let text): text
        case .int64(let number): String(number)
        case .uint8(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// An AMQP field table, in insertion order.
public typealias AMQPTable = [(key: String, value: AMQPFieldValue)]
