/// One step of a compiled ``LinearRegex``: consume a scalar, test a position, branch, or
/// accept.
///
/// Branch targets are relative to the instruction's own index, so a run of instructions
/// can be copied anywhere (a repetition `x{3}` is three copies of `x`) without fixing up
/// addresses.
enum RegexInstruction: Sendable, Equatable {
    /// Consumes exactly this scalar.
    case scalar(Unicode.Scalar)
    /// Consumes any scalar whose case fold (see `regexCaseFolded`) is this scalar.
    case foldedScalar(Unicode.Scalar)
    /// Consumes any scalar (`.` under the `s` flag).
    case anyScalar
    /// Consumes any scalar but a line feed (`.`).
    case anyScalarButNewline
    /// Consumes a scalar in the program's scalar set at this index.
    case scalarSet(Int)
    /// Consumes nothing and continues only if the position satisfies the assertion.
    case assertion(Assertion)
    /// Continues at both `self + first` and `self + second`.
    case split(Int, Int)
    /// Continues at `self + offset`.
    case jump(Int)
    /// The whole pattern has matched.
    case match

    /// A zero-width test of the position between two scalars.
    enum Assertion: Sendable, Equatable {
        /// `\A`, or `^` without the `m` flag.
        case beginningOfText
        /// `\z`, or `$` without the `m` flag (RE2's `$` does not match before a final newline).
        case endOfText
        /// `^` under the `m` flag.
        case beginningOfLine
        /// `$` under the `m` flag.
        case endOfLine
        /// `\b`: an ASCII word character on exactly one side.
        case wordBoundary
        /// `\B`: the opposite of `\b`.
        case notWordBoundary

        /// Whether the assertion holds between `previous` and `next` (`nil` past either end).
        func holds(after previous: Unicode.Scalar?, before next: Unicode.Scalar?) -> Bool {
            switch self {
            case .beginningOfText: previous == nil
            case .endOfText: next == nil
            case .beginningOfLine: previous == nil || previous == "\n"
            case .endOfLine: next == nil || next == "\n"
            case .wordBoundary: Self.isWord(previous) != Self.isWord(next)
            case .notWordBoundary: Self.isWord(previous) == Self.isWord(next)
            }
        }

        private static func isWord(_ scalar: Unicode.Scalar?) -> Bool {
            guard let scalar else { return false }
            return RegexScalarSet.isASCIIWord(scalar)
        }
    }
}
