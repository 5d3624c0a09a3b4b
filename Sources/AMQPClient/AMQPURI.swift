import Foundation

/// An `amqp://` or `amqps://` URI as RabbitMQ specifies it
/// (`amqp://user:password@host:port/vhost`, parts percent-encoded, vhost `/` when the path is
/// empty, `%2f` for a vhost named `/` written explicitly).
public struct AMQPURI: Sendable, Equatable {
    /// `amqps`.
    public var isSecure: Bool
    /// The host (brackets of an IPv6 address removed).
    public var host: String
    /// The port given, else 5672 (5671 for amqps).
    public var port: Int
    /// `guest` when the URI has no user info.
    public var username: String
    /// Empty when the user info has no password.
    public var password: String
    /// `/` when the URI has no path.
    public var virtualHost: String

    /// A malformed URI; the message says which part.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The parts, as they are.
    public init(isSecure: Bool, host: String, port: Int, username: String, password: String, virtualHost: String) {
        self.isSecure = isSecure
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.virtualHost = virtualHost
    }

    /// Parses `text`; throws which part is malformed.
    public init(parsing text: String) throws(Invalid) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        let rest: Substring
        if lower.hasPrefix("amqp://") {
            isSecure = false
            rest = trimmed.dropFirst("amqp://".count)
        } else if lower.hasPrefix("amqps://") {
            isSecure = true
            rest = trimmed.dropFirst("amqps://".count)
        } else {
            throw Invalid(description: "must start with amqp:// or amqps://")
        }
        let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<pathStart]
        var path = rest[pathStart...]
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        username = "guest"
        password = "guest"
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                username = try Self.decode(userInfo[..<colon])
                password = try Self.decode(userInfo[userInfo.index(after: colon)...])
            } else {
                username = try Self.decode(userInfo)
                password = ""
            }
        }
        var hostPart = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Invalid(description: "has an unterminated [IPv6] host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        host = hostPart.isEmpty ? "localhost" : try Self.decode(hostPart)
        if let portText, !portText.isEmpty {
            guard let number = Int(portText), (1...65535).contains(number) else { throw Invalid(description: "has an invalid port '\(portText)'") }
            port = number
        } else {
            port = isSecure ? 5671 : 5672
        }
        if path.isEmpty || path == "/" {
            virtualHost = "/"
        } else {
            let name = path.dropFirst()
            guard !name.contains("/") else { throw Invalid(description: "has a path with more than one segment; the vhost must be percent-encoded") }
            virtualHost = try Self.decode(name)
        }
    }

    /// Percent-decoding (UTF-8).
    static func decode(_ text: Substring) throws(Invalid) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(), let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                throw Invalid(description: "has a malformed percent escape")
            }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
