/// The code compiled so far for one open group (or the whole pattern), while the parser
/// reads it.
///
/// The parser keeps these on an explicit stack instead of recursing, so the nesting depth
/// of a pattern costs heap, never call stack.
struct RegexParseFrame {
    /// The flags in force where the group opened, restored when it closes.
    let outerFlags: RegexFlags
    /// Where the group's `(` is in the pattern, for a "missing )" error.
    let openingOffset: Int
    /// Instructions held by the enclosing frames, so the size limit covers the whole
    /// pattern and not only this group.
    let enclosingSize: Int

    /// The finished branches before the last `|`.
    private(set) var branches: [[RegexInstruction]] = []
    /// The branch being read: a concatenation, appended to as atoms are read.
    private(set) var branch: [RegexInstruction] = []
    /// Where in `branch` the last atom's code starts, the operand of a following
    /// quantifier; `nil` when there is none (at the start, after `|` or `(?i)`).
    private var lastAtomStart: Int?
    /// Whether the last atom already has a quantifier, so another is an error (`a**`).
    private(set) var isLastAtomRepeated = false
    /// Instructions the finished branches will take, with their `split` and `jump`.
    private var finishedBranchesSize = 0

    /// A frame for a group opened at `openingOffset`.
    init(outerFlags: RegexFlags, openingOffset: Int, enclosingSize: Int) {
        self.outerFlags = outerFlags
        self.openingOffset = openingOffset
        self.enclosingSize = enclosingSize
    }

    /// Instructions held by this frame and the frames around it.
    var totalSize: Int {
        enclosingSize + finishedBranchesSize + branch.count
    }

    /// Whether there is an atom a quantifier could apply to.
    var hasOperand: Bool { lastAtomStart != nil }

    /// The code of the atom a quantifier applies to.
    var operand: ArraySlice<RegexInstruction> { branch[(lastAtomStart ?? branch.count)...] }

    /// Appends the code of one atom to the branch being read.
    mutating func append(atom code: [RegexInstruction]) {
        lastAtomStart = branch.count
        isLastAtomRepeated = false
        branch += code
    }

    /// Replaces the last atom's code by its repetition.
    mutating func replaceOperand(with code: [RegexInstruction]) {
        let start = lastAtomStart ?? branch.count
        branch.replaceSubrange(start..., with: code)
        isLastAtomRepeated = true
    }

    /// Forgets the last atom, so a quantifier right after a flag group is an error.
    mutating func clearOperand() {
        lastAtomStart = nil
        isLastAtomRepeated = false
    }

    /// Ends the current branch at a `|`.
    mutating func finishBranch() {
        finishedBranchesSize += branch.count + 2
        branches.append(branch)
        branch = []
        clearOperand()
    }

    /// The code of the whole group: the alternation of its branches.
    func code() -> [RegexInstruction] {
        RegexCode.alternation(of: branches + [branch])
    }
}
