/// One mailbox: `jane@example.com` or `Jane Doe <jane@example.com>`.
public struct MailAddress: Sendable, Equatable {
    /// The display name, if one was given (quotes removed).
    public var name: String?
    /// `local@domain`, as used in `MAIL FROM` and `RCPT TO`.
    public var address: String

    /// Why a text is not a mailbox.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// What is wrong with the text, quoting it.
        public var description: String
    }

    /// A mailbox from its parts, unchecked.
    public init(name: String?, address: String) {
        self.name = name
        self.address = address
    }

    /// Parses `addr@domain` or `Display Name <addr@domain>` (the name may be quoted).
    public init(parsing text: String) throws(ParseError) {
        let trimmed = Self.trimmed(Substring(text))
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            var name = Self.trimmed(trimmed[..<open])
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = name.dropFirst().dropLast()
            }
            self.name = name.isEmpty ? nil : String(name)
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        } else {
            name = nil
            address = String(trimmed)
        }
        try Self.check(address, in: text)
    }

    /// The entries of a `;`-separated list (Dapr's separator for `emailTo`, `emailCC`, `emailBCC`);
    /// empty entries are skipped.
    public static func list(_ text: String) throws(ParseError) -> [MailAddress] {
        var result: [MailAddress] = []
        for entry in text.split(separator: ";") where !trimmed(entry).isEmpty {
            result.append(try MailAddress(parsing: String(entry)))
        }
        return result
    }

    private static func check(_ address: String, in text: String) throws(ParseError) {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ParseError(description: "'\(text)' is not an email address (expected local@domain)")
        }
        let forbidden = Set(" \t\r\n<>(),;:\"[]\\".unicodeScalars)
        guard !address.unicodeScalars.contains(where: { forbidden.contains($0) || $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ParseError(description: "'\(text)' is not an email address (it contains a space or one of <>(),;:\"[]\\)")
        }
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var result = text.drop { $0 == " " || $0 == "\t" }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
