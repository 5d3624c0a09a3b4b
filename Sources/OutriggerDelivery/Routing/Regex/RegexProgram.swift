/// A compiled ``LinearRegex``: a flat list of instructions that starts at index 0 and ends
/// with `.match`, plus the character classes its `.scalarSet` instructions refer to.
struct RegexProgram: Sendable {
    /// The instructions; every branch target stays inside the list.
    let instructions: [RegexInstruction]
    /// The character classes, indexed by `.scalarSet`.
    let scalarSets: [RegexScalarSet]

    /// Whether every match must start at the beginning of the text (the program opens with
    /// `\A`), so the search need not restart at later positions.
    var isAnchoredAtStart: Bool {
        instructions.first == .assertion(.beginningOfText)
    }

    /// Whether the consuming instruction at `index` accepts `scalar`; `false` for the
    /// instructions that consume nothing.
    func accepts(_ scalar: Unicode.Scalar, at index: Int) -> Bool {
        switch instructions[index] {
        case .scalar(let expected): scalar == expected
        case .foldedScalar(let folded): scalar.regexCaseFolded == folded
        case .anyScalar: true
        case .anyScalarButNewline: scalar != "\n"
        case .scalarSet(let set): scalarSets[set].contains(scalar)
        case .assertion, .split, .jump, .match: false
        }
    }
}
