import OutriggerCore

/// The HTTP request one binding invocation sends, worked out the way Dapr's `bindings.http`
/// does it, before any I/O.
struct OutgoingHTTPRequest: Sendable {
    /// Upper-case method; `create` becomes `POST`.
    var method: String
    /// `url`, plus `/` and the `path` request metadata when given.
    var url: String
    /// Header fields in the order they are set; names canonical (`X-Custom`), one value each.
    var headers: [(name: String, value: String)]
    /// Sent for POST, PUT and PATCH only (then always, empty or not).
    var body: [UInt8]?
    /// Whether a non-2xx answer fails the invocation (request metadata `errorIfNot2XX`
    /// overrides the component's value).
    var errorIfNot2XX: Bool

    /// Request metadata keys that are sent as headers although they start in lower case.
    static let traceKeys = ["traceparent", "tracestate", "baggage"]

    /// Dapr's default for `Content-Type` (with a body) and `Accept` when the request does not set them.
    static let defaultMediaType = "application/json; charset=utf-8"

    init(_ request: BindingRequest, metadata: HTTPBindingMetadata) throws(InvalidBindingRequest) {
        method = request.operation.uppercased()
        if method == "CREATE" { method = "POST" }
        switch method {
        case "POST", "PUT", "PATCH": body = request.data
        case "GET", "HEAD", "DELETE", "OPTIONS", "TRACE": body = nil
        default: throw InvalidBindingRequest("unsupported operation '\(request.operation)'")
        }
        url = metadata.url
        if let path = request.metadata["path"], !path.isEmpty {
            url = Self.trimming(url, "/", fromStart: false) + "/" + Self.trimming(path, "/", fromStart: true)
        }
        errorIfNot2XX = metadata.errorIfNot2XX
        if let value = request.metadata["errorIfNot2XX"], !value.isEmpty {
            errorIfNot2XX = Self.isTruthy(value)
        }

        headers = []
        if body != nil, request.metadata["Content-Type"] == nil {
            set("Content-Type", Self.defaultMediaType)
        }
        if request.metadata["Accept"] == nil {
            set("Accept", Self.defaultMediaType)
        }
        if let token = metadata.securityToken {
            set(token.header, token.value)
        }
        // Keys that start with a capital letter are headers; the rest (path, errorIfNot2XX, …)
        // are instructions to the binding. Sorted so that two keys naming the same header
        // (Content-Type, Content-type) resolve the same way every time.
        for (key, value) in request.metadata.sorted(by: { $0.key < $1.key }) {
            guard let first = key.utf8.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { continue }
            set(key, value)
        }
        for key in Self.traceKeys {
            if let value = request.metadata[key], !value.isEmpty { set(key, value) }
        }
        for (name, value) in headers {
            guard name.utf8.allSatisfy(CanonicalHeaderName.isTokenByte) else {
                throw InvalidBindingRequest("metadata key '\(name)' is not a valid HTTP header name")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw InvalidBindingRequest("metadata '\(name)' is not a valid HTTP header value (it contains a line break)")
            }
        }
    }

    /// Sets a header, replacing any earlier value of the same (canonical) name.
    private mutating func set(_ name: String, _ value: String) {
        let canonical = CanonicalHeaderName.of(name)
        headers.removeAll { $0.name == canonical }
        headers.append((canonical, value))
    }

    /// Dapr's truthy words: `y`, `yes`, `true`, `t`, `on`, `1` (any case); anything else is false.
    static func isTruthy(_ value: String) -> Bool {
        ["y", "yes", "true", "t", "on", "1"].contains(value.trimmingSpaces().lowercased())
    }

    private static func trimming(_ text: String, _ character: Character, fromStart: Bool) -> String {
        fromStart ? String(text.drop { $0 == character }) : String(text.reversed().drop { $0 == character }.reversed())
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let characters = drop { $0 == " " || $0 == "\t" }
        return String(characters.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
