/// Runs a ``RegexProgram`` over a text by tracking every live state at once (Thompson's
/// NFA simulation), so the cost is O(text length × program size) whatever the pattern.
///
/// At each position the set of live instructions is deduplicated, the start state is added
/// again (the search is unanchored), and zero-width assertions are decided while following
/// the epsilon edges, from the scalars on either side of the position. The search stops
/// at the first state that reaches `.match`.
enum RegexSimulation {
    /// The outcome of one search.
    struct Result: Sendable {
        /// Whether the pattern matched somewhere in the text.
        let isFound: Bool
        /// States visited: instructions taken from the work stack while following epsilon
        /// edges, plus consuming instructions tried against a scalar. At most
        /// 4 × program size + 1 per position of the text, which the tests rely on.
        let steps: Int
    }

    /// Searches `text` for the first position where `program` matches.
    static func run(_ program: RegexProgram, on text: String) -> Result {
        let size = program.instructions.count
        var current = RegexStateSet(capacity: size)
        var next = RegexStateSet(capacity: size)
        var stack: [Int] = []
        stack.reserveCapacity(2 * size + 2)
        var steps = 0
        let restartsEverywhere = !program.isAnchoredAtStart

        var scalars = text.unicodeScalars.makeIterator()
        var previous: Unicode.Scalar?
        var scalar = scalars.next()
        var isFirstPosition = true
        while true {
            if isFirstPosition || restartsEverywhere {
                let found = followEpsilons(
                    from: 0, in: program, into: &current, stack: &stack, steps: &steps,
                    after: previous, before: scalar)
                if found { return Result(isFound: true, steps: steps) }
            }
            isFirstPosition = false
            guard let consumed = scalar, !current.isEmpty || restartsEverywhere else {
                return Result(isFound: false, steps: steps)
            }
            let following = scalars.next()
            next.removeAll()
            for position in 0..<current.count {
                let index = current[position]
                steps += 1
                guard program.accepts(consumed, at: index) else { continue }
                let found = followEpsilons(
                    from: index + 1, in: program, into: &next, stack: &stack, steps: &steps,
                    after: consumed, before: following)
                if found { return Result(isFound: true, steps: steps) }
            }
            swap(&current, &next)
            previous = consumed
            scalar = following
        }
    }

    /// Adds `start` and every instruction reachable from it without consuming a scalar to
    /// `states`, skipping those already there; returns `true` as soon as `.match` is
    /// reached. Uses an explicit stack, so no pattern can make it recurse.
    private static func followEpsilons(
        from start: Int,
        in program: RegexProgram,
        into states: inout RegexStateSet,
        stack: inout [Int],
        steps: inout Int,
        after previous: Unicode.Scalar?,
        before next: Unicode.Scalar?
    ) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        while let index = stack.popLast() {
            steps += 1
            if states.contains(index) { continue }
            states.insert(index)
            switch program.instructions[index] {
            case .match:
                return true
            case .jump(let offset):
                stack.append(index + offset)
            case .split(let first, let second):
                stack.append(index + second)
                stack.append(index + first)
            case .assertion(let assertion):
                if assertion.holds(after: previous, before: next) { stack.append(index + 1) }
            case .scalar, .foldedScalar, .anyScalar, .anyScalarButNewline, .scalarSet:
                break
            }
        }
        return false
    }
}
