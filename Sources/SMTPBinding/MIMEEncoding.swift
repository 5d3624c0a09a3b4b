/// The encodings a mail message needs to travel over SMTP as 7-bit text with short lines.
enum MIMEEncoding {
    /// A header value as it may appear in a header: unchanged when it is printable ASCII,
    /// otherwise RFC 2047 encoded words (`=?UTF-8?B?…?=`), folded onto continuation lines.
    /// Line breaks and other control characters never reach the header as they are.
    static func headerText(_ value: String) -> String {
        let bytes = Array(value.utf8)
        let printable = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if printable, !value.contains("=?"), bytes.count <= 900 { return value }
        return encodedWords(bytes)
    }

    /// A display name for an address header: as it is when it is made of atoms, quoted when it
    /// holds specials (`"Doe, Jane"`), encoded words when it is not printable ASCII.
    static func displayName(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), !name.contains("=?") else { return encodedWords(bytes) }
        let specials = Set("()<>[]:;@\\,.\"".utf8)
        guard bytes.contains(where: specials.contains) else { return name }
        var quoted = "\""
        for character in name {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// RFC 2047 `B` encoded words of at most 75 characters, never splitting a UTF-8 sequence,
    /// separated by CRLF and a space (a folded header).
    static func encodedWords(_ bytes: [UInt8]) -> String {
        let maximumChunk = 45  // 60 base64 characters + "=?UTF-8?B?" + "?=" = 72
        var words: [String] = []
        var start = 0
        while start < bytes.count {
            var end = min(start + maximumChunk, bytes.count)
            while end < bytes.count, end > start + 1, bytes[end] & 0xC0 == 0x80 { end -= 1 }
            words.append("=?UTF-8?B?" + base64(bytes[start..<end]) + "?=")
            start = end
        }
        return words.isEmpty ? "" : words.joined(separator: "\r\n ")
    }

    /// RFC 2045 quoted-printable of a text body: CRLF line breaks (LF alone counts as one),
    /// lines of at most 76 characters with soft breaks, `=`, controls, 8-bit bytes and
    /// whitespace at the end of a line encoded. Always ends with CRLF.
    static func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8 + 2)
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        for var line in lines {
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            var length = 0
            for index in line.indices {
                let byte = line[index]
                let isLast = index == line.index(before: line.endIndex)
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !isLast)
                let token: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hexDigit(byte >> 4), hexDigit(byte & 0xF)]
                // Keep room for a soft break "=" within the 76-character limit.
                if length + token.count > 75 {
                    output.append(contentsOf: Array("=\r\n".utf8))
                    length = 0
                }
                output.append(contentsOf: token)
                length += token.count
            }
            output.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        }
        return output
    }

    static func base64<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next(), third = iterator.next()
            let value = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(value >> 6 & 63)])
            output.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(value & 63)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        Array("0123456789ABCDEF".utf8)[Int(value)]
    }
}
