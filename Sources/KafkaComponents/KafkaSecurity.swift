import OutriggerCore

/// Dapr's `authType` and TLS fields, as librdkafka properties.
///
/// | `authType` | fields | librdkafka |
/// |---|---|---|
/// | `none` | — | `security.protocol=plaintext` |
/// | `password` | `saslUsername`, `saslPassword`, `saslMechanism` (`PLAIN` default, `SHA-256`/`SCRAM-SHA-256`, `SHA-512`/`SCRAM-SHA-512`) | `sasl_ssl` (or `sasl_plaintext` with `disableTls`), `sasl.mechanisms`, `sasl.username`, `sasl.password` |
/// | `mtls` | `clientCert`, `clientKey` (PEM, both or neither), `caCert` | `ssl`, `ssl.certificate.pem`, `ssl.key.pem`, `ssl.ca.pem` |
/// | `certificate` | `caCert` (required) | `ssl`, `ssl.ca.pem` |
///
/// TLS is on unless `disableTls: "true"` or `authType: none`; `skipVerify: "true"` turns
/// certificate and host name checks off. `oidc`, `oidc_private_key_jwt` and `awsiam` are
/// refused at start-up (not supported by Outrigger).
struct KafkaSecurity: Sendable, Equatable {
    /// The librdkafka properties, in a fixed order.
    var properties: [(String, String)]

    static func == (lhs: KafkaSecurity, rhs: KafkaSecurity) -> Bool {
        lhs.properties.map(\.0) == rhs.properties.map(\.0) && lhs.properties.map(\.1) == rhs.properties.map(\.1)
    }

    init(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        let authType = try metadata.required("authType").lowercased()
        let disableTLS = try metadata.bool("disableTls", default: false)
        let skipVerify = try metadata.bool("skipVerify", default: false)
        let caCert = metadata["caCert"] ?? ""
        if !caCert.isEmpty, !Self.isPEM(caCert) { throw invalid("caCert", "is not a PEM certificate") }
        let tls = !(disableTLS || authType == "none")
        var sasl: [(String, String)] = []
        var certificate: [(String, String)] = []
        switch authType {
        case "none":
            break
        case "password":
            let username = try metadata.required("saslUsername")
            let password = try metadata.required("saslPassword")
            let mechanism: String
            switch metadata.string("saslMechanism", default: "PLAIN").uppercased() {
            case "PLAIN", "PLAINTEXT": mechanism = "PLAIN"
            case "SHA-256", "SCRAM-SHA-256": mechanism = "SCRAM-SHA-256"
            case "SHA-512", "SCRAM-SHA-512": mechanism = "SCRAM-SHA-512"
            case let other: throw invalid("saslMechanism", "must be PLAIN, SHA-256 or SHA-512, got '\(other)'")
            }
            sasl = [("sasl.mechanisms", mechanism), ("sasl.username", username), ("sasl.password", password)]
        case "mtls":
            guard !disableTLS else { throw invalid("disableTls", "cannot be true with authType mtls") }
            let clientCert = metadata["clientCert"] ?? ""
            let clientKey = metadata["clientKey"] ?? ""
            if !clientCert.isEmpty, !Self.isPEM(clientCert) { throw invalid("clientCert", "is not a PEM certificate") }
            if !clientKey.isEmpty, !Self.isPEM(clientKey) { throw invalid("clientKey", "is not a PEM key") }
            guard clientCert.isEmpty == clientKey.isEmpty else {
                throw invalid(clientCert.isEmpty ? "clientCert" : "clientKey", "is required when \(clientCert.isEmpty ? "clientKey" : "clientCert") is set")
            }
            if !clientCert.isEmpty { certificate = [("ssl.certificate.pem", clientCert), ("ssl.key.pem", clientKey)] }
        case "certificate":
            guard !caCert.isEmpty else { throw invalid("caCert", "is required for authType certificate") }
        case "oidc", "oidc_private_key_jwt", "awsiam":
            throw invalid("authType", "'\(authType)' is not supported by Outrigger (use none, password, mtls or certificate)")
        default:
            throw invalid("authType", "must be none, password, mtls or certificate, got '\(authType)'")
        }
        let protocolName = (sasl.isEmpty ? "" : "sasl_") + (tls ? "ssl" : "plaintext")
        var properties: [(String, String)] = [("security.protocol", protocolName)]
        properties += sasl
        if tls {
            if !caCert.isEmpty { properties.append(("ssl.ca.pem", caCert)) }
            properties += certificate
            if skipVerify {
                properties.append(("enable.ssl.certificate.verification", "false"))
                properties.append(("ssl.endpoint.identification.algorithm", "none"))
            }
        }
        self.properties = properties
    }

    private static func isPEM(_ text: String) -> Bool {
        text.contains("-----BEGIN ") && text.contains("-----END ")
    }
}
