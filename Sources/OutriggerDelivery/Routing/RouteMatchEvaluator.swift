import CloudEvents

/// Evaluates a parsed `match` expression against one event.
///
/// Errors are ordinary outcomes here (a field an event lacks, a string where a
/// number was expected); they propagate up the tree until `&&`, `||` or `has()`
/// absorbs them, exactly as CEL specifies.
struct RouteMatchEvaluator {
    typealias Failure = RouteMatchEvaluationError

    /// The CloudEvent as a JSON object, the value of the `event` root.
    let event: JSONObject

    func value(of node: RouteMatchNode) throws(Failure) -> JSONValue {
        switch node.kind {
        case .literal(let value):
            return value
        case .event:
            return .object(event)
        case .list(let items):
            var values: [JSONValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try value(of: item)) }
            return .array(values)
        case .field(let operand, let name):
            let container = try value(of: operand)
            guard case .object(let object) = container else {
                throw Failure("cannot read field '\(name)' of a \(typeName(container))", at: node.position)
            }
            guard let member = object[name] else { throw Failure("no such key '\(name)'", at: node.position) }
            return member
        case .index(let operand, let key):
            return try element(of: value(of: operand), at: value(of: key), position: node.position)
        case .has(let operand, let name):
            // Routing asks "is this path there?", so a missing or non-map prefix is
            // simply "no" rather than an error that would need its own has() guard.
            guard case .object(let object)? = try? value(of: operand) else { return .bool(false) }
            return .bool(object[name] != nil)
        case .not(let operand):
            let operandValue = try value(of: operand)
            guard case .bool(let flag) = operandValue else {
                throw Failure("'!' needs a bool, got \(typeName(operandValue))", at: node.position)
            }
            return .bool(!flag)
        case .negate(let operand):
            let operandValue = try value(of: operand)
            guard let number = operandValue.doubleValue else {
                throw Failure("'-' needs a number, got \(typeName(operandValue))", at: node.position)
            }
            return RouteMatchSemantics.number(-number)
        case .binary(let op, let left, let right):
            return try apply(op, try value(of: left), try value(of: right), at: node.position)
        case .allOf(let operands):
            return .bool(try chain(operands, settledBy: false, symbol: "&&"))
        case .anyOf(let operands):
            return .bool(try chain(operands, settledBy: true, symbol: "||"))
        case .conditional(let condition, let then, let otherwise):
            let conditionValue = try value(of: condition)
            guard case .bool(let flag) = conditionValue else {
                throw Failure("'?' needs a bool condition, got \(typeName(conditionValue))", at: node.position)
            }
            return try value(of: flag ? then : otherwise)
        case .size(let operand):
            let operandValue = try value(of: operand)
            guard let size = RouteMatchSemantics.size(of: operandValue) else {
                throw Failure("size() needs a string, list or map, got \(typeName(operandValue))", at: node.position)
            }
            return .number(String(size))
        case .stringTest(let test, let receiver, let argument):
            let text = try string(receiver, for: test, at: node.position)
            let other = try string(argument, for: test, at: node.position)
            return .bool(try apply(test, text, other, at: node.position))
        case .matchesPattern(let receiver, let pattern):
            let text = try string(receiver, for: .matches, at: node.position)
            return .bool(pattern.isFound(in: text))
        }
    }

    // MARK: - Operators

    /// `&&` (settled by false) and `||` (settled by true) over a whole chain: any
    /// settling operand decides the result even if another operand failed, which
    /// makes the operators commutative as CEL requires.
    private func chain(_ operands: [RouteMatchNode], settledBy decisive: Bool, symbol: String) throws(Failure) -> Bool {
        var firstFailure: Failure?
        for operand in operands {
            do throws(Failure) {
                let operandValue = try value(of: operand)
                guard case .bool(let flag) = operandValue else {
                    throw Failure("'\(symbol)' needs bools, got \(typeName(operandValue))", at: operand.position)
                }
                if flag == decisive { return decisive }
            } catch {
                firstFailure = firstFailure ?? error
            }
        }
        if let firstFailure { throw firstFailure }
        return !decisive
    }

    private func apply(
        _ op: RouteMatchOperator, _ left: JSONValue, _ right: JSONValue, at position: Int
    ) throws(Failure) -> JSONValue {
        switch op {
        case .equal:
            return .bool(RouteMatchSemantics.isEqual(left, right))
        case .notEqual:
            return .bool(!RouteMatchSemantics.isEqual(left, right))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let order = RouteMatchSemantics.order(left, right) else {
                let types = "\(typeName(left)) with \(typeName(right))"
                throw Failure("cannot compare \(types) using '\(op.rawValue)'", at: position)
            }
            switch op {
            case .less: return .bool(order == .ascending)
            case .lessOrEqual: return .bool(order != .descending)
            case .greater: return .bool(order == .descending)
            default: return .bool(order != .ascending)
            }
        case .in:
            return .bool(try contains(right, left, at: position))
        case .add:
            if case .string(let a) = left, case .string(let b) = right { return .string(a + b) }
            if case .array(let a) = left, case .array(let b) = right { return .array(a + b) }
            return try arithmetic(op, left, right, at: position)
        case .subtract, .multiply, .divide, .remainder:
            return try arithmetic(op, left, right, at: position)
        }
    }

    private func arithmetic(
        _ op: RouteMatchOperator, _ left: JSONValue, _ right: JSONValue, at position: Int
    ) throws(Failure) -> JSONValue {
        guard let a = left.doubleValue, let b = right.doubleValue else {
            throw Failure("no operator '\(op.rawValue)' for \(typeName(left)) and \(typeName(right))", at: position)
        }
        switch op {
        case .add: return RouteMatchSemantics.number(a + b)
        case .subtract: return RouteMatchSemantics.number(a - b)
        case .multiply: return RouteMatchSemantics.number(a * b)
        case .divide:
            // CEL's integer division fails on zero; an error is safer than routing on infinity.
            guard b != 0 else { throw Failure("division by zero", at: position) }
            return RouteMatchSemantics.number(a / b)
        default:
            guard b != 0 else { throw Failure("modulus by zero", at: position) }
            return RouteMatchSemantics.number(a.truncatingRemainder(dividingBy: b))
        }
    }

    private func contains(_ container: JSONValue, _ element: JSONValue, at position: Int) throws(Failure) -> Bool {
        switch container {
        case .array(let items):
            return items.contains { RouteMatchSemantics.isEqual($0, element) }
        case .object(let object):
            // JSON maps only have string keys, so any other key is simply absent.
            guard case .string(let key) = element else { return false }
            return object[key] != nil
        default:
            throw Failure("'in' needs a list or map on the right, got \(typeName(container))", at: position)
        }
    }

    private func element(of container: JSONValue, at key: JSONValue, position: Int) throws(Failure) -> JSONValue {
        switch container {
        case .array(let items):
            guard let index = key.doubleValue else {
                throw Failure("list index must be a number, got \(typeName(key))", at: position)
            }
            guard index == index.rounded() else {
                throw Failure("list index \(RouteMatchSemantics.numberText(index)) is not a whole number", at: position)
            }
            guard index >= 0, index < Double(items.count) else {
                let shown = RouteMatchSemantics.numberText(index)
                throw Failure("index \(shown) is out of range for a list of \(items.count)", at: position)
            }
            return items[Int(index)]
        case .object(let object):
            guard case .string(let name) = key else {
                throw Failure("map key must be a string, got \(typeName(key))", at: position)
            }
            guard let member = object[name] else { throw Failure("no such key '\(name)'", at: position) }
            return member
        default:
            throw Failure("cannot index a \(typeName(container))", at: position)
        }
    }

    // MARK: - Strings

    private func string(_ node: RouteMatchNode, for test: RouteMatchStringTest, at position: Int) throws(Failure) -> String {
        let nodeValue = try value(of: node)
        guard case .string(let text) = nodeValue else {
            throw Failure("\(test.rawValue)() needs strings, got \(typeName(nodeValue))", at: position)
        }
        return text
    }

    private func apply(_ test: RouteMatchStringTest, _ text: String, _ other: String, at position: Int) throws(Failure) -> Bool {
        switch test {
        case .startsWith: return text.utf8.starts(with: other.utf8)
        case .endsWith: return text.utf8.reversed().starts(with: other.utf8.reversed())
        case .contains: return other.isEmpty || Array(text.utf8).contains(Array(other.utf8))
        case .matches:
            // Only a pattern computed from the event gets here; literal ones were compiled at parse time.
            let pattern: RouteMatchPattern
            do throws(RouteMatchPattern.CompileError) {
                pattern = try RouteMatchPattern(other)
            } catch {
                throw Failure("invalid regular expression '\(other)': \(error.reason)", at: position)
            }
            return pattern.isFound(in: text)
        }
    }

    private func typeName(_ value: JSONValue) -> String {
        RouteMatchSemantics.typeName(of: value)
    }
}
