#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One email as the binding sends it: the envelope (sender and every recipient) and the RFC 5322
/// message text (headers, then an HTML body in quoted-printable).
struct MailMessage: Sendable {
    var from: MailAddress
    var to: [MailAddress]
    var cc: [MailAddress]
    /// Receive the message but appear in no header.
    var bcc: [MailAddress]
    var subject: String
    /// 1 (highest) … 5 (lowest), sent as `X-Priority`.
    var priority: Int
    /// The HTML body.
    var body: [UInt8]

    /// `RCPT TO` addresses: To, then Cc, then Bcc, each once.
    var recipients: [String] {
        var seen: [String] = []
        for address in (to + cc + bcc).map(\.address) where !seen.contains(address) {
            seen.append(address)
        }
        return seen
    }

    /// The message text with CRLF line ends (before dot-stuffing).
    func rendered(date: String = MailMessage.rfc5322Date(), messageID: String? = nil) -> [UInt8] {
        var headers: [(String, String)] = [
            ("MIME-Version", "1.0"),
            ("Date", date),
            ("Message-ID", messageID ?? Self.newMessageID(domain: from.address.split(separator: "@").last.map(String.init) ?? "localhost")),
            ("From", Self.addressList([from])),
            ("To", Self.addressList(to)),
        ]
        if !cc.isEmpty { headers.append(("Cc", Self.addressList(cc))) }
        headers.append(("Subject", MIMEEncoding.headerText(subject)))
        headers.append(("X-Priority", String(priority)))
        headers.append(("Content-Type", "text/html; charset=UTF-8"))
        headers.append(("Content-Transfer-Encoding", "quoted-printable"))
        var text: [UInt8] = []
        for (name, value) in headers {
            text.append(contentsOf: Array("\(name): \(value)\r\n".utf8))
        }
        text.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        text.append(contentsOf: MIMEEncoding.quotedPrintable(body))
        return text
    }

    /// Addresses for a header, folded so that no line grows much past 78 characters.
    static func addressList(_ addresses: [MailAddress]) -> String {
        var result = ""
        var lineLength = 4  // "To: "
        for (index, address) in addresses.enumerated() {
            let item = address.name.map { MIMEEncoding.displayName($0) + " <\(address.address)>" } ?? address.address
            if index > 0 {
                result += ","
                if lineLength + item.count + 2 > 78 {
                    result += "\r\n "
                    lineLength = 1
                } else {
                    result += " "
                    lineLength += 2
                }
            }
            result += item
            lineLength += item.count
        }
        return result
    }

    /// The message with every line that starts with `.` given a second one (RFC 5321 §4.5.2),
    /// ending with CRLF, then the terminating `.` line.
    static func dataSection(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count + 8)
        var atLineStart = true
        for byte in text {
            if atLineStart, byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
            output.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !output.isEmpty, !atLineStart { output.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")]) }
        output.append(contentsOf: Array(".\r\n".utf8))
        return output
    }

    /// `<32 random hex digits.outrigger@domain>`.
    static func newMessageID(domain: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
        return "<\(random).outrigger@\(domain)>"
    }

    /// The current time in RFC 5322 form, in UTC: `Tue, 02 Jan 2024 15:04:05 +0000`.
    static func rfc5322Date(secondsSince1970: Int = Int(time(nil))) -> String {
        var seconds = time_t(secondsSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
