/// A regular expression with RE2 syntax and semantics whose matching time is linear in
/// the text, for CEL's `matches`.
///
/// Patterns and texts are read as Unicode scalars (code points), and a match may start
/// anywhere in the text unless the pattern anchors itself, exactly as RE2 and CEL do.
/// Both compiling and matching are bounded, so a pattern taken from an event cannot
/// hang or exhaust a delivery thread:
/// - compiling is linear in the pattern, nests at most ``maximumNesting`` groups deep and
///   yields at most ``maximumProgramSize`` instructions (`((a{1000}){1000}){1000}` is
///   refused as too large instead of being expanded);
/// - matching simulates all alternatives in lock step (Thompson's construction), so it
///   takes at most O(text length × program size) steps and never backtracks.
///
/// Only whether the pattern matches is reported; there are no capture groups.
///
/// ```swift
/// let rule = try LinearRegex(#"^order-\d+$"#)
/// rule.isFound(in: "order-42")  // true
/// ```
struct LinearRegex: Sendable {
    /// Why a pattern was refused, and where.
    struct SyntaxError: Error, Sendable, Equatable {
        /// What is wrong, in RE2's vocabulary where RE2 has a word for it.
        let reason: String
        /// 0-based index, in Unicode scalars of the pattern, of the offending text.
        let offset: Int
    }

    /// The most instructions a compiled pattern may hold; RE2's default budget is similar.
    static let maximumProgramSize = 10_000
    /// The deepest nesting of groups a pattern may use, as in RE2.
    static let maximumNesting = 1_000
    /// The largest count a repetition such as `{n,m}` may name, as in RE2.
    static let maximumRepetition = 1_000

    /// The pattern as written.
    let pattern: String
    private let program: RegexProgram

    /// Compiles `pattern`, or throws the first problem found reading it left to right.
    init(_ pattern: String) throws(SyntaxError) {
        var parser = RegexParser(pattern)
        self.program = try parser.parse()
        self.pattern = pattern
    }

    /// Whether the pattern matches somewhere in `text` (unanchored unless the pattern
    /// anchors itself with `^`, `\A`, `$` or `\z`).
    func isFound(in text: String) -> Bool {
        RegexSimulation.run(program, on: text).isFound
    }

    /// How many instructions the compiled pattern has; matching costs at most a small
    /// multiple of this per scalar of text.
    var programSize: Int { program.instructions.count }

    /// Matches like ``isFound(in:)`` and also reports how many NFA states were visited,
    /// so tests can check the work is linear without timing anything.
    func search(in text: String) -> (isFound: Bool, steps: Int) {
        let result = RegexSimulation.run(program, on: text)
        return (result.isFound, result.steps)
    }
}
