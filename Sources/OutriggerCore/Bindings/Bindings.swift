/// An output binding: the app calls an external system through `POST /v1.0/bindings/{name}`.
public protocol OutputBinding: Component {
    /// The operations `invoke` accepts; any other is refused with this list.
    var operations: [String] { get }
    func invoke(_ request: BindingRequest) async throws -> BindingResponse
}

/// An input binding: an external source whose events are delivered to the app at `POST /{name}`.
///
/// The handler contract is the pub/sub one: return = done, throw = the source redelivers.
public protocol InputBinding: Component {
    func read(handler: @escaping BindingHandler) async throws -> Subscription
}

/// Called by an input binding per event.
public typealias BindingHandler = @Sendable (BindingEvent) async throws -> Void

/// The body of `POST /v1.0/bindings/{name}`.
public struct BindingRequest: Sendable {
    public var operation: String
    public var data: [UInt8]
    public var metadata: [String: String]

    public init(operation: String, data: [UInt8], metadata: [String: String] = [:]) {
        self.operation = operation
        self.data = data
        self.metadata = metadata
    }
}

/// What an output binding answered.
public struct BindingResponse: Sendable {
    public var data: [UInt8]
    public var metadata: [String: String]
    public var contentType: String?

    public init(data: [UInt8] = [], metadata: [String: String] = [:], contentType: String? = nil) {
        self.data = data
        self.metadata = metadata
        self.contentType = contentType
    }
}

/// One event from an input binding.
public struct BindingEvent: Sendable {
    public var data: [UInt8]
    public var metadata: [String: String]

    public init(data: [UInt8], metadata: [String: String] = [:]) {
        self.data = data
        self.metadata = metadata
    }
}

/// A request an output binding refuses because of what it asks (a missing field, a path that
/// escapes the binding's root, malformed `params`): the API answers 400 with this message.
/// Any other error from `invoke` is the binding's own failure (500).
public struct InvalidBindingRequest: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
