/// A JSON document as a value.
///
/// Numbers keep their literal text so a value read from an app and written back is
/// byte-for-byte the number the app sent (no rounding through `Double`); use
/// ``doubleValue`` to compare them. Objects keep their members in document order.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// JSON `true` or `false`.
    case bool(Bool)
    /// The number's literal as it appeared in the document, e.g. `"1.50"` or `"-3e2"`.
    case number(String)
    /// A string, unescaped.
    case string(String)
    /// An array, elements in order.
    case array([JSONValue])
    /// An object, members in document order.
    case object(JSONObject)

    /// The numeric value of a `.number`, or `nil` for every other case.
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The text of a `.string`, or `nil` for every other case.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The members of an `.object`, or `nil` for every other case.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// Member lookup on an object; `nil` for a missing member or a non-object.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}

/// The members of a JSON object in document order, with lookup by name.
///
/// A repeated name keeps its last value, as most JSON readers do.
public struct JSONObject: Sendable, Hashable, Sequence {
    /// The members in document order, each key at most once.
    public private(set) var members: [(key: String, value: JSONValue)]

    /// An empty object.
    public init() { members = [] }

    /// Takes members the caller already knows to have distinct keys, skipping the
    /// quadratic duplicate check of ``init(_:)`` on the parser's hot path.
    init(uniqueMembers: [(key: String, value: JSONValue)]) {
        members = uniqueMembers
    }

    /// An object from members in order; a repeated key keeps its first position and last value.
    public init(_ members: [(key: String, value: JSONValue)]) {
        self.members = []
        for member in members { self[member.key] = member.value }
    }

    /// Number of members.
    public var count: Int { members.count }
    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The member's value; setting `nil` removes it, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { members.last(where: { $0.key == key })?.value }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// Iterates the members in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    /// Equal when both have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (key, value) in lhs.members where rhs[key] != value { return false }
        return true
    }

    /// Hashes the key set only, consistent with the order-insensitive `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for (key, _) in members.sorted(by: { $0.key < $1.key }) { hasher.combine(key) }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// An object from a literal, members in literal order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}
