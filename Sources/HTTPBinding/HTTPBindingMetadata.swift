import OutriggerCore

/// The `spec.metadata` of a `bindings.http` component, with Dapr's names and defaults.
public struct HTTPBindingMetadata: Sendable {
    /// How `MTLSRenegotiation` allows the server to renegotiate TLS.
    public enum Renegotiation: String, Sendable, CaseIterable {
        /// Refused (the default).
        case never = "RenegotiateNever"
        /// Allowed once per connection.
        case onceAsClient = "RenegotiateOnceAsClient"
        /// Allowed any number of times.
        case freelyAsClient = "RenegotiateFreelyAsClient"
    }

    /// Dapr's default `maxResponseBodySize`: `100Mi`.
    public static let defaultMaxResponseBodySize = 100 * 1024 * 1024

    /// `url`: the endpoint every request goes to (`path` request metadata is appended).
    public var url: String
    /// `responseTimeout`: the limit for a whole request, response body included; nil: none.
    public var responseTimeout: Duration?
    /// `maxResponseBodySize` in bytes; the body is cut there. nil: no limit (a value <= 0).
    public var maxResponseBodySize: Int?
    /// `errorIfNot2XX` (default true): a non-2xx answer fails the invocation.
    public var errorIfNot2XX: Bool
    /// `securityToken` and `securityTokenHeader`: a header sent with every request.
    public var securityToken: (header: String, value: String)?
    /// `MTLSRootCA`: PEM text or a file path; when set, the only trusted root.
    public var rootCA: String?
    /// `MTLSClientCert` and `MTLSClientKey`: PEM text or file paths of the client identity.
    public var clientCertificate: (certificate: String, key: String)?
    /// `MTLSRenegotiation`: nil when not set (renegotiation refused).
    public var renegotiation: Renegotiation?

    /// Reads and checks every field; throws ``ComponentConfigurationError`` naming the field.
    public init(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        url = try metadata.required("url")
        let lowercasedURL = url.lowercased()
        guard lowercasedURL.hasPrefix("http://") || lowercasedURL.hasPrefix("https://"), url.count > 8 else {
            throw ComponentConfigurationError(component: metadata.name, field: "url", reason: "must be an http:// or https:// URL, got '\(url)'")
        }
        if metadata["responseTimeout"].map({ !$0.isEmpty }) == true {
            let timeout = try metadata.duration("responseTimeout", default: .zero)
            guard timeout > .zero else {
                throw ComponentConfigurationError(component: metadata.name, field: "responseTimeout", reason: "must be a positive duration such as 10s or 5m")
            }
            responseTimeout = timeout
        }
        maxResponseBodySize = Self.defaultMaxResponseBodySize
        if let text = metadata["maxResponseBodySize"], !text.isEmpty {
            do {
                let size = try ByteSize.parse(text)
                maxResponseBodySize = size > 0 ? size : nil
            } catch {
                throw ComponentConfigurationError(component: metadata.name, field: "maxResponseBodySize", reason: error.description)
            }
        }
        errorIfNot2XX = try metadata.bool("errorIfNot2XX", default: true)
        securityToken = try Self.pair(metadata, "securityTokenHeader", "securityToken").map { (header: $0, value: $1) }
        rootCA = metadata["MTLSRootCA"].flatMap { $0.isEmpty ? nil : $0 }
        clientCertificate = try Self.pair(metadata, "MTLSClientCert", "MTLSClientKey").map { (certificate: $0, key: $1) }
        if let text = metadata["MTLSRenegotiation"], !text.isEmpty {
            guard let value = Renegotiation(rawValue: text) else {
                let allowed = Renegotiation.allCases.map(\.rawValue).joined(separator: ", ")
                throw ComponentConfigurationError(component: metadata.name, field: "MTLSRenegotiation", reason: "must be one of \(allowed), got '\(text)'")
            }
            renegotiation = value
        }
    }

    /// Two fields that only make sense together: both or neither.
    private static func pair(_ metadata: ComponentMetadata, _ first: String, _ second: String) throws(ComponentConfigurationError) -> (String, String)? {
        let a = metadata[first] ?? "", b = metadata[second] ?? ""
        switch (a.isEmpty, b.isEmpty) {
        case (true, true): return nil
        case (false, false): return (a, b)
        case (true, false): throw ComponentConfigurationError(component: metadata.name, field: first, reason: "is required when \(second) is set")
        case (false, true): throw ComponentConfigurationError(component: metadata.name, field: second, reason: "is required when \(first) is set")
        }
    }
}
