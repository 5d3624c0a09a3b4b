/// One SMTP reply: a three-digit code and the text of each of its lines (RFC 5321 §4.2).
struct SMTPReply: Sendable, Equatable {
    /// e.g. 250.
    var code: Int
    /// The text after the code on each line, in order (`["mail.example.com", "STARTTLS"]`).
    var lines: [String]

    /// 2xx and 3xx.
    var isPositive: Bool { (200..<400).contains(code) }

    /// The reply as the server wrote it, lines joined with a space: `"550 5.1.1 no such user"`.
    var text: String {
        let joined = lines.filter { !$0.isEmpty }.joined(separator: " ")
        return joined.isEmpty ? String(code) : "\(code) \(joined)"
    }

    /// The extensions an EHLO reply announces, keyword upper-cased → its parameters
    /// (`"AUTH"` → `"PLAIN LOGIN"`). The first line is the server's greeting, not an extension.
    var extensions: [String: String] {
        var result: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first else { continue }
            result[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }
}

/// Gathers the lines of a (possibly multi-line) reply: `250-first`, `250-second`, `250 last`.
struct SMTPReplyAssembler {
    /// A line that is not `<3 digits>[ -]text`, or whose code differs from the reply's first line.
    struct MalformedLine: Error, Sendable, CustomStringConvertible {
        var line: String
        var description: String { "the server sent a malformed reply line: '\(line)'" }
    }

    private var code: Int?
    private var lines: [String] = []

    /// Adds one line (without its CRLF); returns the reply once its last line arrived.
    mutating func add(_ line: [UInt8]) throws(MalformedLine) -> SMTPReply? {
        let text = String(decoding: line, as: UTF8.self)
        guard line.count >= 3, line[0..<3].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              line.count == 3 || line[3] == UInt8(ascii: " ") || line[3] == UInt8(ascii: "-")
        else { throw MalformedLine(line: text) }
        let lineCode = Int(line[0..<3].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) })
        if let code, code != lineCode { throw MalformedLine(line: text) }
        code = lineCode
        lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        guard line.count == 3 || line[3] == UInt8(ascii: " ") else { return nil }
        defer { code = nil; lines = [] }
        return SMTPReply(code: lineCode, lines: lines)
    }
}
