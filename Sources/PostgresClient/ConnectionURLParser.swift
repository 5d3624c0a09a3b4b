/// Reads the URL form `postgres[ql]://[user[:password]@][host][:port][,host[:port]...][/dbname][?keyword=value&...]`
/// into keyword/value pairs, as pgx does: several hosts become comma-separated `host` and
/// `port` values, `[::1]` is an IPv6 host, every part is percent-decoded (`+` is a space in
/// the query), and a query parameter overrides what the URL's other parts said.
enum ConnectionURLParser {
    static func parse(_ text: String) throws(PostgresConnectionStringError) -> [(key: String, value: String)] {
        var rest = Substring(text)
        rest = rest.drop { $0 != ":" }.dropFirst(3)  // after "postgres://" or "postgresql://"
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        var pairs: [(key: String, value: String)] = []
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                pairs.append(("user", try decode(userInfo[..<colon], part: "user name")))
                pairs.append(("password", try decode(userInfo[userInfo.index(after: colon)...], part: "password")))
            } else {
                pairs.append(("user", try decode(userInfo, part: "user name")))
            }
        }
        var hosts: [String] = []
        var ports: [String] = []
        for entry in authority.split(separator: ",", omittingEmptySubsequences: true) {
            let (host, port) = try splitHostPort(entry)
            if !host.isEmpty { hosts.append(host) }
            if let port, !port.isEmpty { ports.append(port) }
        }
        if !hosts.isEmpty { pairs.append(("host", hosts.joined(separator: ","))) }
        if !ports.isEmpty { pairs.append(("port", ports.joined(separator: ","))) }
        let database = try decode(path, part: "database name")
        if !database.isEmpty { pairs.append(("dbname", database)) }
        var seen: Set<String> = []
        for parameter in query.split(whereSeparator: { $0 == "&" }) where !parameter.isEmpty {
            let equals = parameter.firstIndex(of: "=") ?? parameter.endIndex
            let key = try decode(parameter[..<equals], part: "query parameter", plusIsSpace: true)
            let value = equals == parameter.endIndex ? "" : try decode(parameter[parameter.index(after: equals)...], part: "query parameter", plusIsSpace: true)
            // Like Go's url.Values.Get: the first occurrence of a parameter counts.
            guard seen.insert(key).inserted else { continue }
            pairs.append((key, value))
        }
        return pairs
    }

    /// `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (pgx's `isIPOnly`).
    private static func splitHostPort(_ entry: Substring) throws(PostgresConnectionStringError) -> (String, String?) {
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { throw PostgresConnectionStringError("missing ']' in the URL's host") }
            let host = String(entry[entry.index(after: entry.startIndex)..<close])
            let after = entry[entry.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            guard after.hasPrefix(":") else { throw PostgresConnectionStringError("unexpected text after ']' in the URL's host") }
            return (host, String(after.dropFirst()))
        }
        let colons = entry.filter { $0 == ":" }.count
        if colons == 0 { return (try decode(entry, part: "host"), nil) }
        if colons > 1 { return (String(entry), nil) }  // an IPv6 address without brackets
        let colon = entry.firstIndex(of: ":")!
        return (try decode(entry[..<colon], part: "host"), String(entry[entry.index(after: colon)...]))
    }

    /// Percent-decodes `text`; a malformed escape is an error naming `part`.
    static func decode(_ text: Substring, part: String, plusIsSpace: Bool = false) throws(PostgresConnectionStringError) -> String {
        guard text.contains("%") || (plusIsSpace && text.contains("+")) else { return String(text) }
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < utf8.count, let high = hexDigit(utf8[index + 1]), let low = hexDigit(utf8[index + 2]) else {
                    throw PostgresConnectionStringError("invalid percent-escape in the URL's \(part)")
                }
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
