/// Thompson's construction over runs of instructions: alternation and repetition of code
/// already compiled.
///
/// A run of instructions is self-contained (it is entered at its first instruction, leaves
/// by falling off its end, and branches only with relative offsets), so these functions
/// combine runs by copying them, never by patching addresses, and need no syntax tree.
enum RegexCode {
    /// Code matching any one of `branches` (`a|b|c`); an empty branch matches the empty
    /// string.
    static func alternation(of branches: [[RegexInstruction]]) -> [RegexInstruction] {
        guard branches.count > 1 else { return branches.first ?? [] }
        var code: [RegexInstruction] = []
        code.reserveCapacity(alternationSize(of: branches.map(\.count)))
        // Each branch but the last is `split(next, after) branch jump(end)`.
        var remaining = alternationSize(of: branches.map(\.count))
        for (position, branch) in branches.enumerated() {
            if position == branches.count - 1 {
                code += branch
                break
            }
            remaining -= branch.count + 2
            code.append(.split(1, branch.count + 2))
            code += branch
            code.append(.jump(remaining + 1))
        }
        return code
    }

    /// How many instructions `alternation(of:)` yields for branches of these sizes.
    static func alternationSize(of branchSizes: [Int]) -> Int {
        branchSizes.reduce(0, +) + 2 * max(0, branchSizes.count - 1)
    }

    /// Code matching `body` repeated at least `minimum` and at most `maximum` times
    /// (`nil`: unbounded). `x*` is `{0,}`, `x+` is `{1,}`, `x?` is `{0,1}`.
    static func repetition(of body: [RegexInstruction], minimum: Int, maximum: Int?) -> [RegexInstruction] {
        var code: [RegexInstruction] = []
        code.reserveCapacity(repetitionSize(of: body.count, minimum: minimum, maximum: maximum))
        guard let maximum else {
            if minimum == 0 {
                // split(body, after) body jump(split)
                code.append(.split(1, body.count + 2))
                code += body
                code.append(.jump(-(body.count + 1)))
                return code
            }
            for _ in 0..<minimum { code += body }
            // The last copy loops back to its own start: body split(body, after).
            code.append(.split(-body.count, 1))
            return code
        }
        for _ in 0..<minimum { code += body }
        // Each optional copy may be skipped straight to the end: split(body, end) body.
        let optional = maximum - minimum
        for copy in 0..<optional {
            code.append(.split(1, (optional - copy) * (body.count + 1)))
            code += body
        }
        return code
    }

    /// How many instructions `repetition(of:minimum:maximum:)` yields for a body of
    /// `bodySize` instructions, computed without building it.
    static func repetitionSize(of bodySize: Int, minimum: Int, maximum: Int?) -> Int {
        guard let maximum else {
            return minimum == 0 ? bodySize + 2 : minimum * bodySize + 1
        }
        return minimum * bodySize + (maximum - minimum) * (bodySize + 1)
    }
}
