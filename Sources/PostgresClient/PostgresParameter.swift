/// A value bound to a statement's `$n` placeholder. Parameters always travel separately from
/// the SQL text (the extended query protocol's `Bind`); they are never spliced into it.
///
/// Values are sent in text format with no declared type, so the server converts the text to
/// whatever type the statement needs there (`'42'` to `int4`, `'{"a":1}'` to `jsonb`).
public enum PostgresParameter: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// The text form of the value.
    case text(String)
    /// A list: sent as an array literal (`{"1","2"}`) when the statement's parameter is a
    /// built-in array type, otherwise as `text` (e.g. the list's JSON form, for a `jsonb`
    /// parameter). Deciding costs one extra round trip (the statement is described first).
    case list([PostgresParameter], text: String)

    /// The text sent for a parameter whose type the server inferred as `typeOID`
    /// (`nil`: `NULL`).
    func wireText(forType typeOID: UInt32?) -> String? {
        switch self {
        case .null: nil
        case .text(let text): text
        case .list(let elements, let text):
            typeOID.map(PostgresTypeOID.isArray) == true ? PostgresArrayText.literal(elements) : text
        }
    }

    /// Whether any text in the parameter holds a NUL byte, which the protocol cannot carry.
    var containsNUL: Bool {
        switch self {
        case .null: false
        case .text(let text): text.utf8.contains(0)
        case .list(let elements, let text): text.utf8.contains(0) || elements.contains { $0.containsNUL }
        }
    }

    /// Whether sending it depends on the parameter's type (see ``list(_:text:)``).
    var needsParameterTypes: Bool {
        if case .list = self { return true }
        return false
    }
}
