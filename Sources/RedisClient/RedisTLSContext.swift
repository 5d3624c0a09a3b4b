import NIOSSL

extension RedisTLSConfiguration {
    /// The swift-nio-ssl context for these settings; made once per ``RedisClient`` and shared
    /// by its connections (loading trust roots is not cheap).
    func makeContext() throws(RedisError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = verifyCertificate ? .fullVerification : .none
        do {
            if let roots = additionalTrustRootsPEM {
                let certificates = try NIOSSLCertificate.fromPEMBytes(Array(roots.utf8))
                configuration.additionalTrustRoots = [.certificates(certificates)]
            }
            if let chain = clientCertificatePEM, let key = clientKeyPEM {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(chain.utf8)).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .connectFailed("invalid TLS settings: \(error)")
        }
    }
}
