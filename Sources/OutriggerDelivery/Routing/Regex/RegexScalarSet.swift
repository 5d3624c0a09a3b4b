/// A character class such as `[a-z\d]`, `\w`, `\p{Lu}` or `[^[:space:]]`: which scalars it
/// consumes.
///
/// A bracketed class is the union of its members; the `^` negation applies last, after case
/// folding, as in RE2 (so `(?i)[^a]` consumes neither `a` nor `A`). Membership costs one
/// pass over the members, which is bounded by the pattern's length.
struct RegexScalarSet: Sendable, Equatable {
    /// One part of a class that is not a plain scalar or range: a Perl class (`\d`, `\W`),
    /// a POSIX class (`[:alpha:]`) or a Unicode general category (`\pL`, `\P{Nd}`).
    enum Member: Sendable, Equatable {
        /// Scalars in (or, when `isNegated`, outside) these ranges of scalar values.
        case ranges([ClosedRange<UInt32>], isNegated: Bool)
        /// Scalars in (or, when `isNegated`, outside) these general categories.
        case categories([Unicode.GeneralCategory], isNegated: Bool)
        /// Every scalar (`\p{Any}`), or none when `isNegated`.
        case any(isNegated: Bool)

        /// Whether `scalar` belongs to this member.
        func contains(_ scalar: Unicode.Scalar) -> Bool {
            switch self {
            case .ranges(let ranges, let isNegated):
                ranges.contains { $0.contains(scalar.value) } != isNegated
            case .categories(let categories, let isNegated):
                categories.contains(scalar.properties.generalCategory) != isNegated
            case .any(let isNegated):
                !isNegated
            }
        }
    }

    /// Plain scalars and ranges written in the class, by scalar value.
    private(set) var ranges: [ClosedRange<UInt32>] = []
    /// Perl, POSIX and Unicode classes written in the class.
    private(set) var members: [Member] = []
    /// Whether the class was written `[^...]` (or is `\D`, `\P{..}` outside brackets).
    var isNegated = false
    /// Whether the class was written under the `i` flag, so either case of a letter counts.
    var ignoresCase = false

    /// An empty class; add scalars, ranges and members to it.
    init(isNegated: Bool = false, ignoresCase: Bool = false) {
        self.isNegated = isNegated
        self.ignoresCase = ignoresCase
    }

    /// Adds the scalars from `lower` through `upper`.
    mutating func insert(_ lower: Unicode.Scalar, through upper: Unicode.Scalar) {
        ranges.append(lower.value...upper.value)
    }

    /// Adds a Perl, POSIX or Unicode class.
    mutating func insert(_ member: Member) {
        members.append(member)
    }

    /// Whether the class consumes `scalar`.
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        var found = containsExactly(scalar)
        if !found, ignoresCase {
            let folded = scalar.regexCaseFolded
            let uppercased = scalar.regexUppercased
            found = (folded != scalar && containsExactly(folded))
                || (uppercased != scalar && containsExactly(uppercased))
        }
        return found != isNegated
    }

    private func containsExactly(_ scalar: Unicode.Scalar) -> Bool {
        ranges.contains { $0.contains(scalar.value) } || members.contains { $0.contains(scalar) }
    }

    /// Whether `scalar` is an ASCII word character `[0-9A-Za-z_]`, as `\w` and `\b` use.
    static func isASCIIWord(_ scalar: Unicode.Scalar) -> Bool {
        asciiWord.contains { $0.contains(scalar.value) }
    }
}
