@testable import SMTPBinding
import Testing

@Suite("bindings.smtp message text")
struct MailMessageTests {
    func message(body: String = "<p>Hi</p>", subject: String = "Hello") throws -> MailMessage {
        MailMessage(
            from: try MailAddress(parsing: "Orders <orders@example.com>"),
            to: try MailAddress.list("a@example.com;B <b@example.com>"),
            cc: try MailAddress.list("c@example.com"),
            bcc: try MailAddress.list("hidden@example.com; a@example.com"),
            subject: subject, priority: 2, body: Array(body.utf8))
    }

    @Test("addresses parse bare, with a display name, and with a quoted display name")
    func addresses() throws {
        #expect(try MailAddress(parsing: " a@example.com ") == MailAddress(name: nil, address: "a@example.com"))
        #expect(try MailAddress(parsing: "Jane Doe <jane@example.com>") == MailAddress(name: "Jane Doe", address: "jane@example.com"))
        #expect(try MailAddress(parsing: "\"Doe, Jane\" <jane@example.com>") == MailAddress(name: "Doe, Jane", address: "jane@example.com"))
    }

    @Test("a text that is not an address is refused", arguments: ["nobody", "a@", "@b", "a b@c.com", "a@b@c", "<>"])
    func badAddresses(text: String) {
        #expect(throws: MailAddress.ParseError.self) { try MailAddress(parsing: text) }
    }

    @Test("address lists are separated by semicolons, empty entries skipped")
    func lists() throws {
        #expect(try MailAddress.list("a@x.com; b@x.com;;").map(\.address) == ["a@x.com", "b@x.com"])
    }

    @Test("recipients are To, Cc and Bcc, each once")
    func recipients() throws {
        #expect(try message().recipients == ["a@example.com", "b@example.com", "c@example.com", "hidden@example.com"])
    }

    @Test("the headers name From, To, Cc, Subject and X-Priority, never Bcc")
    func headers() throws {
        let text = String(decoding: try message().rendered(date: "Tue, 14 Nov 2023 22:13:20 +0000", messageID: "<1@example.com>"), as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        #expect(head == """
            MIME-Version: 1.0\r
            Date: Tue, 14 Nov 2023 22:13:20 +0000\r
            Message-ID: <1@example.com>\r
            From: Orders <orders@example.com>\r
            To: a@example.com, B <b@example.com>\r
            Cc: c@example.com\r
            Subject: Hello\r
            X-Priority: 2\r
            Content-Type: text/html; charset=UTF-8\r
            Content-Transfer-Encoding: quoted-printable
            """)
        #expect(!text.contains("hidden@example.com"))
    }

    @Test("a non-ASCII subject becomes UTF-8 encoded words of at most 75 characters")
    func encodedSubject() {
        let subject = String(repeating: "Grüße aus Köln — ", count: 6)
        let encoded = MIMEEncoding.headerText(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        #expect(words.map { decodeBase64(String($0.dropFirst(10).dropLast(2))) }.reduce([], +) == Array(subject.utf8))
    }

    @Test("a subject with a line break cannot inject a header")
    func subjectInjection() {
        #expect(!MIMEEncoding.headerText("Hi\r\nBcc: evil@example.com").contains("\r\nBcc"))
    }

    @Test("a display name with specials is quoted, a non-ASCII one encoded")
    func displayNames() {
        #expect(MIMEEncoding.displayName("Doe, Jane") == "\"Doe, Jane\"")
        #expect(MIMEEncoding.displayName("Jane") == "Jane")
        #expect(MIMEEncoding.displayName("Zoë").hasPrefix("=?UTF-8?B?"))
    }

    @Test("quoted-printable keeps lines within 76 characters and encodes =, 8-bit bytes and trailing spaces")
    func quotedPrintable() {
        let body = String(repeating: "a", count: 200) + "\nprice = 5 € \nend"
        let encoded = String(decoding: MIMEEncoding.quotedPrintable(Array(body.utf8)), as: UTF8.self)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(encoded.contains("price =3D 5 =E2=82=AC=20\r\n"))
        #expect(encoded.hasSuffix("end\r\n"))
    }

    @Test("lines that start with a dot get a second one, and the data ends with CRLF . CRLF")
    func dotStuffing() {
        let section = MailMessage.dataSection(Array("first\r\n.hidden\r\n.\r\nlast".utf8))
        #expect(String(decoding: section, as: UTF8.self) == "first\r\n..hidden\r\n..\r\nlast\r\n.\r\n")
    }

    @Test("the date is RFC 5322 in UTC")
    func date() {
        #expect(MailMessage.rfc5322Date(secondsSince1970: 1_700_000_000) == "Tue, 14 Nov 2023 22:13:20 +0000")
        #expect(MailMessage.rfc5322Date(secondsSince1970: 0) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    func decodeBase64(_ text: String) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var bits: UInt32 = 0, count = 0
        var output: [UInt8] = []
        for byte in text.utf8 where byte != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: byte) else { continue }
            bits = bits << 6 | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                output.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        return output
    }
}
