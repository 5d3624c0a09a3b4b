import Foundation

/// One message as the sink recorded it, with the helpers a test needs to read it: unfolded,
/// RFC 2047-decoded headers and the quoted-printable body decoded.
struct ReceivedMail {
    var mailFrom: String
    var recipients: [String]
    var tls: Bool
    var login: String?
    /// The raw message text (CRLF line ends).
    var text: String

    init(json: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any],
              let from = object["mail_from"] as? String, let recipients = object["rcpt_tos"] as? [String],
              let text = object["data"] as? String
        else { throw MailFormatError(description: "not a sink record") }
        mailFrom = from
        self.recipients = recipients
        self.text = text
        tls = object["tls"] as? Bool ?? false
        login = object["auth"] as? String
    }

    /// Header lines, continuation lines joined to the line before.
    var headerLines: [String] {
        guard let end = text.range(of: "\r\n\r\n") else { return [] }
        var lines: [String] = []
        for line in text[..<end.lowerBound].components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !lines.isEmpty {
                lines[lines.count - 1] += line
            } else {
                lines.append(line)
            }
        }
        return lines
    }

    /// The decoded value of the first header called `name` (any case), nil when absent.
    func header(_ name: String) -> String? {
        for line in headerLines {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name.lowercased() else { continue }
            return Self.decodeWords(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// The body with quoted-printable undone, CRLF turned into LF.
    var body: String {
        guard let end = text.range(of: "\r\n\r\n") else { return "" }
        let encoded = String(text[end.upperBound...]).replacingOccurrences(of: "=\r\n", with: "")
        let utf8 = Array(encoded.utf8)
        var bytes: [UInt8] = []
        var position = 0
        while position < utf8.count {
            if utf8[position] == UInt8(ascii: "="), position + 2 < utf8.count,
               let value = UInt8(String(decoding: utf8[(position + 1)...(position + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                position += 3
            } else {
                bytes.append(utf8[position])
                position += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// Undoes `=?UTF-8?B?…?=` words (whitespace between two words is dropped, as RFC 2047 says).
    static func decodeWords(_ value: String) -> String {
        let pattern = try! NSRegularExpression(pattern: #"=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=\s*"#, options: [.caseInsensitive])
        var bytes: [UInt8] = []
        var rest = value
        while let match = pattern.firstMatch(in: rest, range: NSRange(rest.startIndex..., in: rest)),
              let whole = Range(match.range, in: rest), let payload = Range(match.range(at: 1), in: rest) {
            bytes.append(contentsOf: Array(rest[..<whole.lowerBound].utf8))
            bytes.append(contentsOf: Data(base64Encoded: String(rest[payload])) ?? Data())
            rest = String(rest[whole.upperBound...])
        }
        bytes.append(contentsOf: Array(rest.utf8))
        return String(decoding: bytes, as: UTF8.self)
    }
}

struct MailFormatError: Error, CustomStringConvertible {
    var description: String
}
