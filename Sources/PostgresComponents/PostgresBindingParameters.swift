import CloudEvents
import OutriggerCore
import PostgresClient

/// Reads the `params` request metadata: a JSON array whose elements are bound to `$1`, `$2`...
///
/// | JSON | bound as |
/// |---|---|
/// | `null` | SQL `NULL` |
/// | string | its text |
/// | number | its text; a whole number written with a fraction or exponent (`2.0`, `1e3`) as the integer (`2`, `1000`), so it fits an integer column as with Dapr |
/// | `true` / `false` | `true` / `false` |
/// | object | its compact JSON text (for `json`/`jsonb` parameters) |
/// | array | an array literal when the parameter is a built-in array type (`= ANY($1)`), else its compact JSON text |
///
/// Absent, empty or `null` `params` means no parameters. Anything else that is not a JSON
/// array, or a string holding a NUL character, is an ``InvalidBindingRequest`` (400).
enum PostgresBindingParameters {
    static func parse(_ text: String?) throws(InvalidBindingRequest) -> [PostgresParameter] {
        guard let text, !text.isEmpty else { return [] }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: text)
        } catch {
            throw InvalidBindingRequest("invalid metadata property params: not JSON (\(error))")
        }
        switch value {
        case .null:
            return []
        case .array(let elements):
            for (index, element) in elements.enumerated() where containsNUL(element) {
                throw InvalidBindingRequest("invalid metadata property params: element \(index + 1) contains a NUL character, which PostgreSQL text cannot hold")
            }
            return elements.map(parameter)
        default:
            throw InvalidBindingRequest("invalid metadata property params: must be a JSON array of values, one per $n placeholder")
        }
    }

    static func parameter(_ value: JSONValue) -> PostgresParameter {
        switch value {
        case .null: .null
        case .bool(let flag): .text(flag ? "true" : "false")
        case .number(let literal): .text(integralText(literal) ?? literal)
        case .string(let text): .text(text)
        case .object: .text(value.jsonText)
        case .array(let elements): .list(elements.map(parameter), text: value.jsonText)
        }
    }

    private static func containsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.utf8.contains(0)
        case .array(let elements): elements.contains(where: containsNUL)
        case .object(let object): object.contains { $0.key.utf8.contains(0) || containsNUL($0.value) }
        case .null, .bool, .number: false
        }
    }

    /// `2.0` → `2`, `1e3` → `1000`, `-5E0` → `-5`; `nil` when `literal` already is a plain
    /// integer, is not whole, or is too large to hold exactly.
    static func integralText(_ literal: String) -> String? {
        guard literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let number = Double(literal),
              number.rounded() == number, abs(number) < 9_007_199_254_740_992 else { return nil }
        return String(Int64(number))
    }
}
