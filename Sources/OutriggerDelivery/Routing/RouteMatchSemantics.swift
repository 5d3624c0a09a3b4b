import CloudEvents

/// CEL's rules for comparing and measuring JSON values.
///
/// Strings compare by their UTF-8 bytes, as CEL implementations do, rather than by
/// Swift's canonical equivalence, so `"é"` precomposed and decomposed differ here as
/// they do in Dapr. Numbers compare by value whatever their JSON spelling, so
/// `1.50 == 1.5`.
enum RouteMatchSemantics {
    /// The CEL name of a value's type, for error messages.
    static func typeName(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .array: "list"
        case .object: "map"
        }
    }

    /// CEL equality: values of different types are simply unequal, never an error.
    static func isEqual(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.null, .null):
            true
        case (.bool(let a), .bool(let b)):
            a == b
        case (.number, .number):
            left.doubleValue == right.doubleValue
        case (.string(let a), .string(let b)):
            a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)):
            a.count == b.count && zip(a, b).allSatisfy { isEqual($0, $1) }
        case (.object(let a), .object(let b)):
            a.count == b.count && a.allSatisfy { member in
                b[member.key].map { isEqual(member.value, $0) } ?? false
            }
        default:
            false
        }
    }

    /// The order of two numbers or two strings; `nil` when they cannot be ordered,
    /// which the caller reports as an error rather than guessing.
    static func order(_ left: JSONValue, _ right: JSONValue) -> Order? {
        switch (left, right) {
        case (.number, .number):
            guard let a = left.doubleValue, let b = right.doubleValue else { return nil }
            if a < b { return .ascending }
            if a > b { return .descending }
            return a == b ? .same : nil
        case (.string(let a), .string(let b)):
            if a.utf8.elementsEqual(b.utf8) { return .same }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? .ascending : .descending
        default:
            return nil
        }
    }

    /// The outcome of ``order(_:_:)``.
    enum Order {
        case ascending, same, descending
    }

    /// CEL's `size`: code points of a string, elements of a list, entries of a map.
    static func size(of value: JSONValue) -> Int? {
        switch value {
        case .string(let text): text.unicodeScalars.count
        case .array(let items): items.count
        case .object(let object): object.count
        default: nil
        }
    }

    /// A computed number as JSON number text; whole numbers print without a
    /// fraction so `1 + 1` reads as `2` in messages.
    static func number(_ value: Double) -> JSONValue {
        .number(numberText(value))
    }

    /// The text ``number(_:)`` uses; the magnitude check keeps the `Int64`
    /// conversion from trapping on huge values.
    static func numberText(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
