extension ComponentSpec {
    /// A metadata field given as a plain value (not a secret reference), matched
    /// case-insensitively as Dapr does.
    public func plainMetadata(_ name: String) -> String? {
        for item in metadata where item.name.lowercased() == name.lowercased() {
            if case .plain(let value) = item.value { return value }
        }
        return nil
    }

    /// Whether an input binding is read: `direction` metadata absent, or naming `input`
    /// (`input`, `output`, or `input, output`). A `direction: output` binding is never read.
    public var readsInput: Bool {
        guard let direction = plainMetadata("direction"), !direction.isEmpty else { return true }
        return direction.split(separator: ",").contains { String($0).trimmingCharacters(in: " ").lowercased() == "input" }
    }

    /// The app route of an input binding: `route` metadata, else the component's name.
    public var inputRoute: String {
        let route = plainMetadata("route") ?? ""
        return route.isEmpty ? name : route
    }
}
