import NIOSSL
import OutriggerCore

extension HTTPBindingMetadata {
    /// The client TLS configuration the `MTLS*` fields describe: TLS 1.2 or newer, the system's
    /// roots unless `MTLSRootCA` replaces them, the client identity when given, renegotiation
    /// as `MTLSRenegotiation` says (refused by default).
    ///
    /// Each certificate or key field holds PEM text, or else the path of a PEM file (Dapr's
    /// rule: text with a PEM block is PEM, anything else is a path).
    func tlsConfiguration(component: String) throws(ComponentConfigurationError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let rootCA {
            let roots = try Self.certificates(rootCA, field: "MTLSRootCA", component: component)
            tls.trustRoots = .certificates(roots)
        }
        if let clientCertificate {
            let chain = try Self.certificates(clientCertificate.certificate, field: "MTLSClientCert", component: component)
            tls.certificateChain = chain.map { .certificate($0) }
            tls.privateKey = .privateKey(try Self.privateKey(clientCertificate.key, component: component))
        }
        switch renegotiation {
        case nil, .never: tls.renegotiationSupport = .none
        case .onceAsClient: tls.renegotiationSupport = .once
        case .freelyAsClient: tls.renegotiationSupport = .always
        }
        return tls
    }

    static func isPEM(_ value: String) -> Bool {
        value.contains("-----BEGIN ")
    }

    private static func certificates(_ value: String, field: String, component: String) throws(ComponentConfigurationError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = isPEM(value)
                ? try NIOSSLCertificate.fromPEMBytes(Array(value.utf8))
                : try NIOSSLCertificate.fromPEMFile(value)
        } catch {
            throw ComponentConfigurationError(component: component, field: field, reason: unreadable(value, error))
        }
        guard !certificates.isEmpty else {
            throw ComponentConfigurationError(component: component, field: field, reason: "holds no PEM certificate")
        }
        return certificates
    }

    private static func privateKey(_ value: String, component: String) throws(ComponentConfigurationError) -> NIOSSLPrivateKey {
        do {
            return isPEM(value)
                ? try NIOSSLPrivateKey(bytes: Array(value.utf8), format: .pem)
                : try NIOSSLPrivateKey(file: value, format: .pem)
        } catch {
            throw ComponentConfigurationError(component: component, field: "MTLSClientKey", reason: unreadable(value, error))
        }
    }

    private static func unreadable(_ value: String, _ error: any Error) -> String {
        isPEM(value)
            ? "is not valid PEM (\(error))"
            : "is neither PEM text nor a readable PEM file: '\(value)' (\(error))"
    }
}
