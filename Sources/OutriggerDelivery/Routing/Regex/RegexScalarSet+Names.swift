/// The named classes RE2 knows: Perl's `\d \s \w`, the ASCII POSIX classes and the Unicode
/// general categories. All Perl and POSIX classes are ASCII-only, as in RE2.
extension RegexScalarSet {
    /// `[0-9A-Za-z_]`.
    static let asciiWord: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]

    /// The class for a Perl escape letter (`d`, `s`, `w`, or their negations in upper
    /// case), or `nil` if the letter names none.
    static func perlClass(_ letter: Unicode.Scalar) -> Member? {
        let ranges: [ClosedRange<UInt32>]
        switch letter {
        case "d", "D": ranges = [0x30...0x39]
        // RE2's \s has no vertical tab.
        case "s", "S": ranges = [0x09...0x0A, 0x0C...0x0D, 0x20...0x20]
        case "w", "W": ranges = asciiWord
        default: return nil
        }
        return .ranges(ranges, isNegated: ("A"..."Z").contains(letter))
    }

    /// The class for a POSIX name as in `[:alpha:]`, or `nil` if the name is unknown.
    static func posixClass(_ name: String, isNegated: Bool) -> Member? {
        let ranges: [ClosedRange<UInt32>]
        switch name {
        case "alnum": ranges = [0x30...0x39, 0x41...0x5A, 0x61...0x7A]
        case "alpha": ranges = [0x41...0x5A, 0x61...0x7A]
        case "ascii": ranges = [0x00...0x7F]
        case "blank": ranges = [0x09...0x09, 0x20...0x20]
        case "cntrl": ranges = [0x00...0x1F, 0x7F...0x7F]
        case "digit": ranges = [0x30...0x39]
        case "graph": ranges = [0x21...0x7E]
        case "lower": ranges = [0x61...0x7A]
        case "print": ranges = [0x20...0x7E]
        case "punct": ranges = [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E]
        case "space": ranges = [0x09...0x0D, 0x20...0x20]
        case "upper": ranges = [0x41...0x5A]
        case "word": ranges = asciiWord
        case "xdigit": ranges = [0x30...0x39, 0x41...0x46, 0x61...0x66]
        default: return nil
        }
        return .ranges(ranges, isNegated: isNegated)
    }

    /// The class for a Unicode class name as in `\p{Lu}`: `Any`, a one-letter general
    /// category group or a two-letter category. `nil` for anything else, scripts included.
    static func unicodeClass(_ name: String, isNegated: Bool) -> Member? {
        if name == "Any" { return .any(isNegated: isNegated) }
        guard let categories = generalCategories[name] else { return nil }
        return .categories(categories, isNegated: isNegated)
    }

    private static let generalCategories: [String: [Unicode.GeneralCategory]] = {
        let groups: [String: [(String, Unicode.GeneralCategory)]] = [
            "L": [("Lu", .uppercaseLetter), ("Ll", .lowercaseLetter), ("Lt", .titlecaseLetter),
                  ("Lm", .modifierLetter), ("Lo", .otherLetter)],
            "M": [("Mn", .nonspacingMark), ("Mc", .spacingMark), ("Me", .enclosingMark)],
            "N": [("Nd", .decimalNumber), ("Nl", .letterNumber), ("No", .otherNumber)],
            "P": [("Pc", .connectorPunctuation), ("Pd", .dashPunctuation), ("Ps", .openPunctuation),
                  ("Pe", .closePunctuation), ("Pi", .initialPunctuation), ("Pf", .finalPunctuation),
                  ("Po", .otherPunctuation)],
            "S": [("Sm", .mathSymbol), ("Sc", .currencySymbol), ("Sk", .modifierSymbol),
                  ("So", .otherSymbol)],
            "Z": [("Zs", .spaceSeparator), ("Zl", .lineSeparator), ("Zp", .paragraphSeparator)],
            // RE2's C leaves out unassigned scalars (Cn), which it has no table for.
            "C": [("Cc", .control), ("Cf", .format), ("Cs", .surrogate), ("Co", .privateUse)],
        ]
        var table: [String: [Unicode.GeneralCategory]] = [:]
        for (group, categories) in groups {
            table[group] = categories.map(\.1)
            for (name, category) in categories { table[name] = [category] }
        }
        return table
    }()
}
