import CloudEvents

/// A W3C `traceparent` value (version 00): `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
///
/// Parsing follows the W3C Trace Context rules a receiver applies: an all-zero trace or parent
/// id, upper-case hex or the wrong length make the header invalid, and an invalid header starts
/// a new trace instead of failing the request.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// The 16-byte trace id: its first eight bytes (big-endian) and its last eight.
    public var traceHigh: UInt64
    public var traceLow: UInt64
    /// The 8-byte id of the span this context names (the parent of the next span).
    public var spanID: UInt64
    /// Bit 0 set: the trace is sampled (recorded and exported).
    public var flags: UInt8

    public init(traceHigh: UInt64, traceLow: UInt64, spanID: UInt64, flags: UInt8) {
        self.traceHigh = traceHigh
        self.traceLow = traceLow
        self.spanID = spanID
        self.flags = flags
    }

    /// Whether the sampled flag is set.
    public var isSampled: Bool { flags & 1 == 1 }

    /// Parses a header value; nil when it is not a valid version-00 traceparent.
    public init?(_ text: String) {
        var text = text
        let parsed: TraceParent? = text.withUTF8 { bytes in
            guard bytes.count == 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
                  let version = Self.hex(bytes, 0, 2), version == 0,
                  let high = Self.hex(bytes, 3, 16), let low = Self.hex(bytes, 19, 16),
                  let span = Self.hex(bytes, 36, 16), let flags = Self.hex(bytes, 53, 2),
                  high != 0 || low != 0, span != 0
            else { return nil }
            return TraceParent(traceHigh: high, traceLow: low, spanID: span, flags: UInt8(flags))
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// A new trace: random trace and span ids.
    public static func root(sampled: Bool) -> TraceParent {
        var high: UInt64 = 0
        var low: UInt64 = 0
        while high == 0 && low == 0 { (high, low) = FastRandom.nextPair() }
        return TraceParent(traceHigh: high, traceLow: low, spanID: nonZero(), flags: sampled ? 1 : 0)
    }

    /// A child in the same trace: a new span id, the same flags.
    public func child() -> TraceParent {
        TraceParent(traceHigh: traceHigh, traceLow: traceLow, spanID: Self.nonZero(), flags: flags)
    }

    /// The trace id as 32 lower-case hex digits.
    public var traceIDText: String {
        Self.string(length: 32) { text in
            Self.writeHex(traceHigh, digits: 16, into: text, at: 0)
            Self.writeHex(traceLow, digits: 16, into: text, at: 16)
        }
    }

    /// The span id as 16 lower-case hex digits.
    public var spanIDText: String {
        Self.string(length: 16) { text in Self.writeHex(spanID, digits: 16, into: text, at: 0) }
    }

    public var description: String {
        // Written straight into the string's storage: this runs for every publish and delivery.
        Self.string(length: 55) { text in
            text[0] = UInt8(ascii: "0")
            text[1] = UInt8(ascii: "0")
            text[2] = UInt8(ascii: "-")
            Self.writeHex(traceHigh, digits: 16, into: text, at: 3)
            Self.writeHex(traceLow, digits: 16, into: text, at: 19)
            text[35] = UInt8(ascii: "-")
            Self.writeHex(spanID, digits: 16, into: text, at: 36)
            text[52] = UInt8(ascii: "-")
            Self.writeHex(UInt64(flags), digits: 2, into: text, at: 53)
        }
    }

    /// A string of exactly `length` ASCII bytes, all of them set by `write`.
    private static func string(length: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Void) -> String {
        String(unsafeUninitializedCapacity: length) { buffer in
            write(UnsafeMutableBufferPointer(rebasing: buffer[..<length]))
            return length
        }
    }

    /// The lowest `digits` hex digits of `value`, lower-case, most significant first, at `offset`.
    private static func writeHex(_ value: UInt64, digits: Int, into text: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        for index in 0..<digits {
            let shift = UInt64((digits - 1 - index) * 4)
            text[offset + index] = JSONText.hexDigit(UInt8(truncatingIfNeeded: value >> shift) & 0xF)
        }
    }

    private static func nonZero() -> UInt64 {
        var value: UInt64 = 0
        while value == 0 { value = FastRandom.next() }
        return value
    }

    /// `count` lower-case hex digits at `start`, or nil.
    private static func hex(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes[start..<start + count] {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }
}
