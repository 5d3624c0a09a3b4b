/// A resource file that cannot be used; start-up stops with this message.
///
/// The description names the file, the document (1-based, with its kind and name when known),
/// the field path and, when the YAML parser knows it, the line.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var document: Int
    public var resource: String?
    public var field: String
    public var line: Int?
    public var message: String

    public init(file: String, document: Int, resource: String? = nil, field: String, line: Int? = nil, message: String) {
        self.file = file
        self.document = document
        self.resource = resource
        self.field = field
        self.line = line
        self.message = message
    }

    public var description: String {
        var location = "\(file)"
        if let line { location += ":\(line)" }
        location += " (document \(document)"
        if let resource { location += ", \(resource)" }
        location += ")"
        return field.isEmpty ? "\(location): \(message)" : "\(location): field '\(field)': \(message)"
    }
}

/// Where a resource came from, kept for messages about it later.
public struct ResourceOrigin: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var document: Int

    public init(file: String, document: Int) {
        self.file = file
        self.document = document
    }

    public var description: String { "\(file) (document \(document))" }
}
