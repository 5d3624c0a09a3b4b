@testable import OutriggerDelivery
import Testing

/// RE2 syntax and semantics of `LinearRegex`, the engine behind CEL's `matches`.
@Suite("LinearRegex: RE2 syntax and semantics")
struct LinearRegexTests {
    private static let a1000 = String(repeating: "a", count: 1000)

    static let matches: [(pattern: String, text: String, expected: Bool)] = [
        // Literals, unanchored search, code points.
        ("abc", "xxabcxx", true), ("abc", "abx", false), ("", "", true), ("", "abc", true),
        ("\u{E9}", "e\u{301}", false), ("^.$", "\u{1F600}", true), ("^..$", "🇫🇷", true), ("é+$", "caféé", true),
        // Escapes.
        (#"a\.b"#, "a.b", true), (#"a\.b"#, "axb", false), (#"\\"#, #"a\b"#, true),
        (#"^\*\+\?\(\)\[\]\{\}\|\^\$\/\.$"#, "*+?()[]{}|^$/.", true), (##"\-\_\ \#\&\~\""##, "-_ #&~\"", true),
        (#"\a\f\t\n\r\v"#, "\u{07}\u{0C}\t\n\r\u{0B}", true), (#"\x41\x{1F600}"#, "A😀", true),
        (#"\x7F"#, "\u{7F}", true), (#"\x{10FFFF}"#, "\u{10FFFF}", true), (#"\x{0041}"#, "A", true),
        (#"\101\60"#, "A0", true), (#"\0"#, "\0", true), (#"\141\1411"#, "aa1", true),
        (#"\Qa.b\E+"#, "a.bb", true), (#"\Qa.b"#, "axb", false),
        // Dot.
        ("a.c", "abc", true), ("a.c", "a\nc", false), ("(?s)a.c", "a\nc", true), ("(?s:.)", "\n", true),
        // Classes.
        ("[abc]", "xbx", true), ("[abc]", "xyz", false), ("[^a-z]", "abc", false), ("[^a-z]", "abC", true),
        ("^[a-z0-9_]+$", "ab_09", true), ("^[a-z0-9_]+$", "ab-09", false), ("[]a]", "]", true),
        ("[^]a]", "]", false), ("[-a]", "-", true), ("[a-]", "-", true), (#"[\]\\]"#, "\\", true),
        (#"[\n]"#, "\n", true), (#"[\x41-\x43]"#, "B", true), ("[.]", "x", false), ("[.]", ".", true),
        ("[é-ë]", "ê", true), ("[^é]", "é", false), ("[:alpha:]", "p", true),
        // Perl classes, ASCII only.
        (#"\d+"#, "ab12", true), (#"^\d+$"#, "12a", false), (#"\D"#, "123", false), (#"\d"#, "٣", false),
        (#"\w"#, "  _ ", true), (#"\W"#, "abc", false), (#"\w"#, "é", false), (#"\s"#, "a\tb", true),
        (#"\s"#, "a\u{0B}b", false), (#"\S"#, " \n", false), (#"[\d\s]"#, " ", true), (#"[^\d]"#, "5", false),
        (#"[\D]"#, "5", false), (#"[^\W]"#, "_", true),
        // POSIX classes.
        ("[[:alpha:]]", "1a", true), ("^[[:alpha:]]+$", "ab1", false), ("[[:^alpha:]]", "abc", false),
        ("[[:digit:][:upper:]]", "aB", true), ("[[:space:]]", "\u{0B}", true), ("[[:punct:]]", "a!b", true),
        ("^[[:xdigit:]]+$", "F0a9", true), ("[[:word:]]", "-_", true), ("[[:alpha:]]", "é", false),
        // Unicode general categories.
        (#"\pL"#, "1é", true), (#"\p{L}"#, "123", false), (#"\p{Lu}"#, "aÉ", true), (#"\p{Lu}"#, "aé", false),
        (#"\PN"#, "123", false), (#"\PN"#, "12a", true), (#"\p{^L}"#, "abc", false), (#"\P{^L}"#, "é", true),
        (#"\p{Nd}"#, "٣", true), (#"\p{Any}"#, "x", true), (#"[\pN\s]"#, " ", true), (#"\p{Sc}"#, "€5", true),
        (#"\pZ"#, "a\u{A0}b", true), (#"[^\pL]"#, "ab", false),
        // Anchors.
        ("^abc", "abcd", true), ("^abc", "xabc", false), ("abc$", "xabc", true), ("abc$", "abc\n", false),
        ("(?m)abc$", "abc\nx", true), ("(?m)^x", "abc\nx", true), ("^x", "abc\nx", false),
        (#"\Aab"#, "ab", true), (#"(?m)\Ab"#, "a\nb", false), (#"ab\z"#, "ab\n", false),
        ("(?m)^$", "a\n\nb", true), ("^$", "", true), ("^$", "a", false), ("a^b", "ab", false),
        // Word boundaries, ASCII word characters.
        (#"\bfoo\b"#, "a foo b", true), (#"\bfoo\b"#, "afoo", false), (#"\Boo\B"#, "foox", true),
        (#"\Boo\B"#, "foo", false), (#"\b"#, "", false), (#"\B"#, "", true), (#"\bé"#, " é", false),
        // Groups and alternation.
        ("(ab)+c", "ababc", true), ("(?:ab)+c", "abac", false), (#"(?P<y>\d{4})-(?<m>\d\d)"#, "on 2024-05", true),
        ("a()b", "ab", true), ("(|a)b", "b", true), ("a|", "x", true), ("|", "", true),
        ("(a|b|c)d", "cd", true), ("(a|b|c)d", "dd", false), ("^(?:cat|dog)s?$", "dogs", true),
        // Flags.
        ("(?i)abc", "xAbC", true), ("(?i)ABC", "abc", true), ("a(?i)b", "aB", true), ("a(?i)b", "AB", false),
        ("(?i:a)b", "Ab", true), ("(?i:a)b", "AB", false), ("(?i)a(?-i)b", "AB", false),
        ("(a(?i)b)c", "aBc", true), ("(a(?i)b)c", "aBC", false), ("(?i)[a-c]+$", "xABC", true),
        ("(?i)[^a]", "A", false), ("(?i)é", "É", true), ("(?i)σ", "Σ", true), ("(?i)k", "\u{212A}", true),
        (#"(?i)\p{Lu}"#, "a", true), ("(?im)^B$", "a\nb", true), ("(?U)a+", "aa", true), ("(?ms-i:^A.$)", "\nA\n", true), ("(?ms-i:^A.$)", "\na\n", false),
        // Quantifiers.
        ("ab*c", "ac", true), ("ab+c", "ac", false), ("ab?c", "abbc", false), ("^a{3}$", "aaa", true),
        ("^a{3}$", "aaaa", false), ("^a{2,}$", "a", false), ("^a{2,}$", "aaaaa", true), ("^a{2,3}$", "aaaa", false),
        ("^a{0}$", "", true), ("^(ab){2}$", "abab", true), ("a*?b", "aab", true), ("a+?", "a", true),
        ("a??b", "b", true), ("^a{1,2}?$", "aa", true), ("a{,2}", "a{,2}", true), ("a{", "a{", true),
        ("x{1", "x{1", true), ("{", "{", true), ("a}", "a}", true), ("]", "]", true), ("^(a*)*$", "aaa", true),
        ("^(a*)+$", "", true), ("(a|b)*c", "ababc", true), ("^(^a)*", "b", true), ("^a{1000}$", a1000, true),
        ("^(?:a{10}){100}$", a1000, true), ("^(?:a{10}){100}$", String(a1000.dropLast()), false),
    ]

    @Test("matches like RE2", arguments: matches)
    func matching(pattern: String, text: String, expected: Bool) throws {
        let regex = try LinearRegex(pattern)
        #expect(regex.isFound(in: text) == expected)
    }

    static let rejections: [(pattern: String, reason: String, offset: Int)] = [
        ("a**", "bad repetition operator", 2), ("a*+", "bad repetition operator", 2),
        ("a*??", "bad repetition operator", 3), ("a*{2}", "bad repetition operator", 2),
        ("a{2}{3}", "bad repetition operator", 4), ("é**", "bad repetition operator", 2),
        ("*a", "missing argument to repetition operator", 0), ("a|*", "missing argument", 2),
        ("(*)", "missing argument", 1), ("(?i)*", "missing argument", 4), ("{2}", "missing argument", 0),
        ("a{2,1}", "bad repetition operator", 1), ("a{1001}", "limited to 1000", 1),
        ("a{2,1001}", "limited to 1000", 1), (#"(a)\1"#, "backreferences", 3), (#"\8"#, "backreferences", 0),
        ("(?=a)", "lookahead", 0), ("(?!a)", "lookahead", 0), ("(?<=a)", "lookbehind", 0),
        ("😀(?<!a)", "lookbehind", 1), (#"\C"#, "\\C", 0), ("(a", "missing )", 0), ("a(b(c)", "missing )", 1),
        ("a)", "unexpected )", 1), ("[z-a]", "invalid character class range", 1), ("👍[é-a]", "range", 2),
        ("[a", "missing closing ]", 0), ("x[^", "missing closing ]", 1), ("[]", "missing closing ]", 0),
        ("a\\", "trailing backslash", 1), (#"[a\"#, "trailing backslash", 2), (#"\q"#, "invalid escape", 0),
        (#"\Z"#, "invalid escape", 0), (#"[\b]"#, "invalid escape", 1),
        (#"\x{110000}"#, "invalid escape", 0), (#"\x{D800}"#, "invalid escape", 0), (#"\xZ1"#, "invalid escape", 0),
        (#"\x{}"#, "invalid escape", 0), (#"\x4"#, "invalid escape", 0), (#"\é"#, "invalid escape", 0),
        (#"\p{Greek}"#, "Unicode script classes are not supported", 0), (#"x\p{Lx}"#, "unknown Unicode class", 1),
        (#"\p{L"#, "missing }", 0), (#"\p"#, "missing Unicode class name", 0),
        ("[[:foo:]]", "unknown POSIX class", 1), ("(?P<n>a)(?P<n>b)", "duplicate capture group name", 8),
        ("(?P<>a)", "invalid named capture group", 0), ("(?P<a-b>x)", "invalid named capture group", 0),
        ("(?P=n)", "not supported", 0), ("(?#c)", "invalid or unsupported Perl syntax", 0),
        ("(?x)a", "invalid or unsupported Perl syntax", 0), ("(?i-)a", "invalid or unsupported Perl syntax", 0),
        ("(?)", "invalid or unsupported Perl syntax", 0), ("(?--i)", "invalid or unsupported Perl syntax", 0),
        ("(?i", "missing )", 0), ("((a{1000}){1000}){1000}", "pattern too large", 10),
        (String(repeating: "a{1000}", count: 10), "pattern too large", 64),
        (String(repeating: "x", count: 10_000), "pattern too large", 9_999),
        (String(repeating: "|", count: 10_000), "pattern too large", 4_999),
        (String(repeating: "(", count: 1_001) + "a" + String(repeating: ")", count: 1_001), "nests too deeply", 1_000),
        (String(repeating: "(", count: 100_000), "nests too deeply", 1_000),
    ]

    @Test("refuses what RE2 refuses, saying why and where", arguments: rejections)
    func rejecting(pattern: String, reason: String, offset: Int) {
        #expect {
            try LinearRegex(pattern)
        } throws: { error in
            guard let error = error as? LinearRegex.SyntaxError else { return false }
            return error.reason.contains(reason) && error.offset == offset
        }
    }

    @Test("reports the first error's reason and offset", arguments: [("a(?=b)**", 1)])
    func reportsLeftmostError(pattern: String, offset: Int) {
        do {
            _ = try LinearRegex(pattern)
            Issue.record("\(pattern) was accepted")
        } catch {
            #expect(error.offset == offset)
            #expect(error.reason.contains("lookahead"))
        }
    }

    @Test("groups nested to the limit compile and match without deep recursion")
    func deepNesting() throws {
        let depth = LinearRegex.maximumNesting
        let pattern = String(repeating: "(?:", count: depth) + "a|b" + String(repeating: ")*", count: depth)
        let regex = try LinearRegex(pattern)
        #expect(regex.isFound(in: "ab"))
        let alternated = String(repeating: "(x|", count: depth) + "y" + String(repeating: ")", count: depth)
        #expect(try LinearRegex(alternated).isFound(in: "-y-"))
    }

    // MARK: - Hostile patterns: linear work, counted rather than timed

    /// Patterns that take exponential time in a backtracking engine, against a text of
    /// `unit` repeated, then `suffix`.
    static let hostile: [(pattern: String, unit: String, suffix: String, expected: Bool)] = [
        ("(a+)+$", "a", "!", false), ("(a+)+$", "a", "", true), ("(a|a)*b", "a", "", false),
        ("(a*)*b", "a", "", false), ("(x+x+)+y", "x", "", false),
        ("^(([a-z])+.)+[A-Z]([a-z])+$", "a", "!", false), ("(?i)(.*a){20}$", "A", "!", false),
        ("(.*)*(.*)*z$", "ab", "", false), (#"(\w+\s?)+$"#, "word ", "#", false),
    ]

    @Test("hostile patterns give the right answer in steps linear in the text", arguments: hostile)
    func linearWork(pattern: String, unit: String, suffix: String, expected: Bool) throws {
        let regex = try LinearRegex(pattern)
        let n = 8_000  // enough for 2^n to be hopeless, small enough for a debug build under load
        let text = { (length: Int) in String(repeating: unit, count: length / unit.count) + suffix }
        let small = regex.search(in: text(n))
        let large = regex.search(in: text(2 * n))
        #expect(small.isFound == expected)
        #expect(large.isFound == expected)
        // The simulation visits at most 4 × program size + 1 states per position.
        let bound = (4 * regex.programSize + 1) * (2 * n + 2)
        #expect(large.steps <= bound, "\(pattern): \(large.steps) steps over \(bound)")
        #expect(Double(large.steps) <= 2.2 * Double(small.steps), "\(pattern): \(small.steps) → \(large.steps)")
    }

    // MARK: - Differential test against Swift's backtracking `Regex` on tiny inputs

    /// SplitMix64, so the generated cases are the same on every run.
    private struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A pattern from a grammar both engines read the same way: literals, classes, `.`,
    /// groups, `|`, and quantifiers on atoms only.
    private static func pattern(depth: Int, using random: inout SeededGenerator) -> String {
        let branches = (0..<Int.random(in: 1...(depth > 1 ? 1 : 2), using: &random)).map { _ in
            (0..<Int.random(in: 1...3, using: &random)).map { _ in
                atom(depth: depth, using: &random) + quantifier(using: &random)
            }.joined()
        }
        return branches.joined(separator: "|")
    }

    private static func atom(depth: Int, using random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<4: String(["a", "b", "c"].randomElement(using: &random)!)
        case 4: "."
        case 5: ["[ab]", "[^a]", "[a-c]", "[^bc]"].randomElement(using: &random)!
        case 6...7 where depth < 3: "(" + pattern(depth: depth + 1, using: &random) + ")"
        case 8 where depth < 3: "(?:" + pattern(depth: depth + 1, using: &random) + ")"
        default: String(["a", "b"].randomElement(using: &random)!)
        }
    }

    private static func quantifier(using random: inout SeededGenerator) -> String {
        let lazy = Int.random(in: 0..<4, using: &random) == 0 ? "?" : ""
        switch Int.random(in: 0..<12, using: &random) {
        case 0: return "*" + lazy
        case 1: return "+" + lazy
        case 2: return "?" + lazy
        case 3:
            let low = Int.random(in: 0...2, using: &random)
            return "{\(low),\(low + Int.random(in: 0...2, using: &random))}" + lazy
        case 4: return "{\(Int.random(in: 0...2, using: &random)),}" + lazy
        case 5: return "{\(Int.random(in: 1...2, using: &random))}"
        default: return ""
        }
    }

    @Test("agrees with Swift Regex on generated patterns and texts")
    func differential() throws {
        var random = SeededGenerator(state: 0x5EED_0F_12E2)
        var compared = 0
        var found = 0
        for _ in 0..<300 {
            var pattern = Self.pattern(depth: 0, using: &random)
            if Int.random(in: 0..<5, using: &random) == 0 { pattern = "^" + pattern }
            if Int.random(in: 0..<5, using: &random) == 0 { pattern = "(?:" + pattern + ")$" }
            let ours = try LinearRegex(pattern)
            let reference = try Regex(pattern).matchingSemantics(.unicodeScalar)
            for _ in 0..<20 {
                let length = Int.random(in: 0...7, using: &random)
                let text = String((0..<length).map { _ in "abcd".randomElement(using: &random)! })
                let expected = try reference.firstMatch(in: text) != nil
                #expect(ours.isFound(in: text) == expected, "/\(pattern)/ on \"\(text)\"")
                compared += 1
                if expected { found += 1 }
            }
        }
        // Both outcomes are common, so neither a "always" nor a "never" engine would pass.
        #expect(compared == 6_000)
        #expect(found > 1_000 && compared - found > 1_000, "\(found) of \(compared) matched")
    }
}
