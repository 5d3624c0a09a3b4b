/// Backslash escapes, inside and outside brackets, with RE2's rules: escaped ASCII
/// punctuation is literal, an escaped letter or digit must be one RE2 knows.
extension RegexParser {
    /// What an escape that can appear in a class stands for.
    enum ClassEscape {
        /// One scalar, such as `\n`, `\x41` or `\.`.
        case scalar(Unicode.Scalar)
        /// A class, such as `\d` or `\p{Lu}`.
        case member(RegexScalarSet.Member)
    }

    /// Reads an escape outside brackets whose `\` is at `start` and appends its code.
    mutating func parseEscape(from start: Int) throws(LinearRegex.SyntaxError) {
        guard let letter = peek() else {
            throw error("trailing backslash at end of expression", at: start)
        }
        let assertion: RegexInstruction.Assertion
        switch letter {
        case "A": assertion = .beginningOfText
        case "z": assertion = .endOfText
        case "b": assertion = .wordBoundary
        case "B": assertion = .notWordBoundary
        case "Q":
            index += 1
            try appendQuotedText(from: start)
            return
        case "C":
            throw error("\\C (any byte) is not supported", at: start)
        default:
            switch try parseClassEscape(from: start) {
            case .scalar(let scalar):
                try appendLiteral(scalar, at: start)
            case .member(let member):
                var set = RegexScalarSet(ignoresCase: flags.ignoresCase)
                set.insert(member)
                scalarSets.append(set)
                try appendAtom([.scalarSet(scalarSets.count - 1)], at: start)
            }
            return
        }
        index += 1
        try appendAtom([.assertion(assertion)], at: start)
    }

    /// Reads an escape whose `\` is at `start` and which stands for a scalar or a class,
    /// the kinds allowed in brackets.
    mutating func parseClassEscape(from start: Int) throws(LinearRegex.SyntaxError) -> ClassEscape {
        guard let letter = peek() else {
            throw error("trailing backslash at end of expression", at: start)
        }
        index += 1
        if let member = RegexScalarSet.perlClass(letter) { return .member(member) }
        switch letter {
        case "p", "P": return .member(try readUnicodeClass(isNegated: letter == "P", from: start))
        case "a": return .scalar("\u{07}")
        case "f": return .scalar("\u{0C}")
        case "t": return .scalar("\t")
        case "n": return .scalar("\n")
        case "r": return .scalar("\r")
        case "v": return .scalar("\u{0B}")
        case "x": return .scalar(try readHexadecimal(from: start))
        case "0"..."7":
            // A lone non-zero digit is a backreference in Perl; RE2 has none.
            if letter != "0", !(peek().map { ("0"..."7").contains($0) } ?? false) {
                throw error("backreferences such as \(text(from: start)) are not supported", at: start)
            }
            return .scalar(readOctal(startingWith: letter))
        case "8", "9":
            throw error("backreferences such as \(text(from: start)) are not supported", at: start)
        default:
            // Escaped ASCII punctuation stands for itself (RE2 also allows `\_`).
            if letter.isASCII, !letter.properties.isAlphabetic, !("0"..."9").contains(letter) {
                return .scalar(letter)
            }
            throw error("invalid escape sequence \(text(from: start))", at: start)
        }
    }

    /// Reads up to two more octal digits after `first`: `\0`, `\12`, `\123`.
    private mutating func readOctal(startingWith first: Unicode.Scalar) -> Unicode.Scalar {
        var value = first.value - 0x30
        for _ in 0..<2 {
            guard let digit = peek(), ("0"..."7").contains(digit) else { break }
            value = value * 8 + digit.value - 0x30
            index += 1
        }
        // At most 0o777, always a valid scalar.
        return Unicode.Scalar(value)!
    }

    /// Reads `\xHH` (exactly two digits) or `\x{H...}` after the `x`.
    private mutating func readHexadecimal(from start: Int) throws(LinearRegex.SyntaxError) -> Unicode.Scalar {
        let isBraced = peek() == "{"
        if isBraced { index += 1 }
        var value: UInt32 = 0
        var digits = 0
        while let scalar = peek(), let digit = scalar.properties.isASCIIHexDigit ? hexValue(scalar) : nil {
            value = min(value * 16 + digit, 0x11_0000)
            digits += 1
            index += 1
            if !isBraced, digits == 2 { break }
        }
        let isWellFormed = isBraced ? (digits > 0 && peek() == "}") : digits == 2
        if isBraced, isWellFormed { index += 1 }
        guard isWellFormed, let scalar = Unicode.Scalar(value) else {
            throw error("invalid escape sequence \(text(from: start))", at: start)
        }
        return scalar
    }

    private func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 0x30
        case "a"..."f": scalar.value - 0x61 + 10
        case "A"..."F": scalar.value - 0x41 + 10
        default: nil
        }
    }

    /// Reads the name after `\p` or `\P`: one letter, or `{Name}` / `{^Name}`.
    private mutating func readUnicodeClass(
        isNegated: Bool, from start: Int
    ) throws(LinearRegex.SyntaxError) -> RegexScalarSet.Member {
        var name: String
        if peek() == "{" {
            let nameStart = index + 1
            while let scalar = peek(), scalar != "}" { index += 1 }
            guard peek() == "}" else {
                throw error("missing } after \\p{ or \\P{", at: start)
            }
            name = String(String.UnicodeScalarView(scalars[nameStart..<index]))
            index += 1
        } else if let letter = peek() {
            name = String(letter)
            index += 1
        } else {
            throw error("missing Unicode class name after \(text(from: start))", at: start)
        }
        var isNegated = isNegated
        if name.hasPrefix("^") {
            isNegated.toggle()
            name.removeFirst()
        }
        guard let member = RegexScalarSet.unicodeClass(name, isNegated: isNegated) else {
            throw error(
                "unknown Unicode class \(text(from: start)): only general categories and Any are known; "
                    + "Unicode script classes are not supported", at: start)
        }
        return member
    }

    /// Appends the literal text of `\Q...\E` (or up to the end if there is no `\E`).
    private mutating func appendQuotedText(from start: Int) throws(LinearRegex.SyntaxError) {
        while let scalar = peek() {
            if scalar == "\\", peek(1) == "E" {
                index += 2
                return
            }
            try appendLiteral(scalar, at: index)
            index += 1
        }
    }
}
