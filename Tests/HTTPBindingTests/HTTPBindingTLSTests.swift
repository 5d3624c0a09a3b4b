import Foundation
import HTTPBinding
import NIOSSL
import OutriggerCore
import OutriggerTesting
import Testing

/// `MTLSRootCA`, `MTLSClientCert` and `MTLSClientKey` against an HTTPS server that requires a
/// client certificate signed by a throw-away CA.
@Suite("bindings.http mutual TLS")
struct HTTPBindingTLSTests {
    /// Runs `body` with certificates and an mTLS echo server; records a skip when openssl is absent.
    func withMTLSServer(_ body: (TestCertificates, EchoServer) async throws -> Void) async throws {
        guard let certificates = try await TestCertificates.make() else {
            print("SKIPPED bindings.http mutual TLS: /usr/bin/openssl is not installed")
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("openssl is required in CI") }
            return
        }
        defer { certificates.remove() }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKeyPath, format: .pem)))
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.caPath))
        tls.certificateVerification = .noHostnameVerification  // and so a client certificate is required
        let server = try await EchoServer.start(tls: tls)
        do {
            try await body(certificates, server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    func get(_ properties: [String: String]) async throws -> BindingResponse {
        let binding = try HTTPBinding(metadata: httpMetadata(properties))
        do {
            let response = try await binding.invoke(BindingRequest(operation: "get", data: []))
            try await binding.close()
            return response
        } catch {
            try await binding.close()
            throw error
        }
    }

    @Test("root CA as PEM text and client certificate and key as files reach an mTLS server")
    func mutualTLS() async throws {
        try await withMTLSServer { certificates, server in
            let response = try await get([
                "url": server.url(scheme: "https", host: "localhost"),
                "MTLSRootCA": try String(contentsOfFile: certificates.caPath, encoding: .utf8),
                "MTLSClientCert": certificates.clientCertificatePath,
                "MTLSClientKey": certificates.clientKeyPath,
            ])
            #expect(response.metadata["statusCode"] == "200")
            #expect(try EchoedRequest(response.data).method == "GET")
        }
    }

    @Test("without a client certificate the mTLS server refuses the request")
    func missingClientCertificate() async throws {
        try await withMTLSServer { certificates, server in
            await #expect(throws: ComponentError.self) {
                try await get(["url": server.url(scheme: "https", host: "localhost"), "MTLSRootCA": certificates.caPath])
            }
        }
    }

    @Test("without MTLSRootCA the server's certificate is not trusted")
    func untrustedServer() async throws {
        try await withMTLSServer { certificates, server in
            await #expect(throws: ComponentError.self) {
                try await get([
                    "url": server.url(scheme: "https", host: "localhost"),
                    "MTLSClientCert": certificates.clientCertificatePath,
                    "MTLSClientKey": certificates.clientKeyPath,
                ])
            }
        }
    }
}
