/// Reads libpq's `keyword=value` form: pairs separated by whitespace, spaces allowed around
/// `=`, a value either bare (up to the next whitespace) or single-quoted, with `\` escaping
/// the next character in both (`password='it\'s a secret'`).
enum KeywordValueParser {
    static func parse(_ text: String) throws(PostgresConnectionStringError) -> [(key: String, value: String)] {
        let scalars = Array(text.unicodeScalars)
        var pairs: [(key: String, value: String)] = []
        var index = 0
        func skipSpace() {
            while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
        }
        while true {
            skipSpace()
            guard index < scalars.count else { return pairs }
            var key = ""
            while index < scalars.count, scalars[index] != "=", !scalars[index].properties.isWhitespace {
                key.unicodeScalars.append(scalars[index])
                index += 1
            }
            skipSpace()
            guard index < scalars.count, scalars[index] == "=" else {
                throw PostgresConnectionStringError("missing \"=\" after \"\(key)\" in the connection string")
            }
            guard !key.isEmpty else { throw PostgresConnectionStringError("a keyword is missing before \"=\" in the connection string") }
            index += 1
            skipSpace()
            var value = ""
            if index < scalars.count, scalars[index] == "'" {
                index += 1
                var closed = false
                while index < scalars.count {
                    let scalar = scalars[index]
                    index += 1
                    if scalar == "'" {
                        closed = true
                        break
                    }
                    if scalar == "\\", index < scalars.count {
                        value.unicodeScalars.append(scalars[index])
                        index += 1
                    } else {
                        value.unicodeScalars.append(scalar)
                    }
                }
                guard closed else { throw PostgresConnectionStringError("unterminated quoted value of \"\(key)\" in the connection string") }
            } else {
                while index < scalars.count, !scalars[index].properties.isWhitespace {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    value.unicodeScalars.append(scalars[index])
                    index += 1
                }
            }
            pairs.append((key, value))
        }
    }
}
