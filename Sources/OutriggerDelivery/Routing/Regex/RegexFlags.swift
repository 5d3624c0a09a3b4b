/// The RE2 flags in force at a point of a pattern, set with `(?imsU)` or `(?i:...)`.
struct RegexFlags: Sendable, Equatable {
    /// `i`: letters match either case.
    var ignoresCase = false
    /// `m`: `^` and `$` also match at line starts and ends.
    var isMultiline = false
    /// `s`: `.` also matches a line feed.
    var dotMatchesNewline = false
    /// `U`: quantifiers are lazy by default. Parsed for RE2 compatibility; a yes/no match
    /// does not depend on it.
    var isUngreedy = false

    /// Sets (`isOn`) or clears the flag named by `letter`; `false` if no flag has that name.
    mutating func set(_ letter: Unicode.Scalar, to isOn: Bool) -> Bool {
        switch letter {
        case "i": ignoresCase = isOn
        case "m": isMultiline = isOn
        case "s": dotMatchesNewline = isOn
        case "U": isUngreedy = isOn
        default: return false
        }
        return true
    }
}
