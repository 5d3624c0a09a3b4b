/// Reads `date`, `timestamp` and `timestamptz` values in the `ISO` output style:
/// `2024-03-01`, `2024-03-01 12:30:05.25`, `2024-03-01 12:30:05.25+05:30`.
///
/// A zone offset (`+HH`, `+HH:MM`, `+HH:MM:SS`) is applied, giving the UTC instant; text
/// without one is taken as UTC. `infinity`, `-infinity` and BC dates give `nil`.
enum ISOTimestampText {
    static func parse(_ text: String) -> UTCDateTime? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.number(minDigits: 4), scanner.skip("-"),
              let month = scanner.number(exactDigits: 2), scanner.skip("-"),
              let day = scanner.number(exactDigits: 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanoseconds: Int32 = 0, offset: Int64 = 0
        if scanner.skip(" ") || scanner.skip("T") {
            guard let h = scanner.number(exactDigits: 2), scanner.skip(":"),
                  let m = scanner.number(exactDigits: 2), scanner.skip(":"),
                  let s = scanner.number(exactDigits: 2),
                  h <= 24, m < 60, s < 61 else { return nil }
            (hour, minute, second) = (h, m, s)
            if scanner.skip(".") {
                let digits = Array(scanner.digits())
                guard !digits.isEmpty, digits.count <= 9 else { return nil }
                var fraction: Int32 = 0
                for index in 0..<9 { fraction = fraction * 10 + (index < digits.count ? Int32(digits[index] - UInt8(ascii: "0")) : 0) }
                nanoseconds = fraction
            }
            if let sign = scanner.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                scanner.advance()
                guard let zoneHours = scanner.number(exactDigits: 2) else { return nil }
                var zone = zoneHours * 3_600
                if scanner.skip(":") {
                    guard let zoneMinutes = scanner.number(exactDigits: 2) else { return nil }
                    zone += zoneMinutes * 60
                    if scanner.skip(":") {
                        guard let zoneSeconds = scanner.number(exactDigits: 2) else { return nil }
                        zone += zoneSeconds
                    }
                }
                offset = sign == UInt8(ascii: "+") ? zone : -zone
            }
        }
        guard scanner.atEnd else { return nil }
        let local = UTCDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanoseconds: nanoseconds)
        return UTCDateTime(secondsSinceEpoch: local.secondsSinceEpoch - offset, nanoseconds: local.nanoseconds)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { position == bytes.count }

        func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func advance() { position += 1 }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard peek() == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }

        mutating func digits() -> ArraySlice<UInt8> {
            let start = position
            while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            return bytes[start..<position]
        }

        mutating func number(exactDigits count: Int) -> Int64? {
            let start = position
            let run = digits()
            guard run.count == count else { position = start; return nil }
            return run.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        }

        mutating func number(minDigits count: Int) -> Int64? {
            let start = position
            let run = digits()
            guard run.count >= count, run.count <= 9 else { position = start; return nil }
            return run.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        }
    }
}
