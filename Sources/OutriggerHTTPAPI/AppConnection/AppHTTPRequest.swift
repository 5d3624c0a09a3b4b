import NIOCore
import NIOHTTP1

/// One validated request to the app, ready for ``HTTPResponseCollector`` to write.
///
/// Framing follows what AsyncHTTPClient sent before it: caller-given `Content-Length` and
/// `Transfer-Encoding` are replaced by a `Content-Length` for the body (omitted for a `GET` without
/// one), and `Host` is added unless the caller gave one.
struct AppHTTPRequest: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
    /// The caller sent `Connection: close`, so the connection must not be reused afterwards.
    var closesConnection: Bool

    init(method: HTTPMethod, path: String, headers: [(String, String)], body: [UInt8], host: String) throws(AppHTTPClientError) {
        guard Self.isValidPath(path) else { throw .invalidPath(path) }
        var fields = HTTPHeaders()
        fields.reserveCapacity(headers.count + 2)
        var hasHost = false
        var closesConnection = false
        for (name, value) in headers {
            guard Self.isToken(name), Self.isFieldValue(value) else { throw .invalidHeader(name: name) }
            // The body decides the framing; a caller's own framing headers would contradict it.
            if Self.equalsIgnoringCase(name, "content-length") || Self.equalsIgnoringCase(name, "transfer-encoding") { continue }
            if Self.equalsIgnoringCase(name, "host") { hasHost = true }
            if Self.equalsIgnoringCase(name, "connection"), value.lowercased().contains("close") { closesConnection = true }
            fields.add(name: name, value: value)
        }
        if !hasHost { fields.add(name: "host", value: host) }
        if !body.isEmpty || method != .GET { fields.add(name: "content-length", value: String(body.count)) }
        self.head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: fields)
        self.body = ByteBuffer(bytes: body)
        self.closesConnection = closesConnection
    }

    /// A request target in origin form: `/` then no space and no control character, since either
    /// would let the path rewrite the request line.
    static func isValidPath(_ path: String) -> Bool {
        var bytes = path.utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "/") else { return false }
        while let byte = bytes.next() {
            if byte <= 0x20 || byte == 0x7F { return false }
        }
        return true
    }

    /// RFC 9110 `token`: the only bytes a field name may hold.
    static func isToken(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
                UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                true
            default:
                false
            }
        }
    }

    /// RFC 9110 field value, rejecting every control character but HTAB: CR, LF or NUL would let a
    /// value (binding metadata comes from brokers) inject headers.
    static func isFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { byte in byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte != 0x7F) }
    }

    /// Compares a token with a lowercase ASCII name without allocating; `| 0x20` lowercases
    /// letters and maps no other token byte onto a letter or `-`.
    private static func equalsIgnoringCase(_ name: String, _ lowercase: String) -> Bool {
        guard name.utf8.count == lowercase.utf8.count else { return false }
        return zip(name.utf8, lowercase.utf8).allSatisfy { byte, lower in byte | 0x20 == lower }
    }
}
