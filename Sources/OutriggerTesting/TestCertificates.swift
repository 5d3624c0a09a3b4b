import Foundation

/// A throw-away certificate authority with a server certificate for `localhost` and
/// `127.0.0.1` and a client certificate, made by the `openssl` command line tool in a
/// temporary directory of their own. P-256 keys: openssl makes one in 7 ms, a 2048-bit RSA key
/// in 200 ms (an idle core of the CI machine).
///
/// Files: `ca.pem`, `server.pem`, `server.key`, `client.pem`, `client.key`, all readable by
/// everyone (a broker started as root may read them as its own user).
public struct TestCertificates: Sendable {
    public let directory: URL

    public var caPath: String { path("ca.pem") }
    public var serverCertificatePath: String { path("server.pem") }
    public var serverKeyPath: String { path("server.key") }
    public var clientCertificatePath: String { path("client.pem") }
    public var clientKeyPath: String { path("client.key") }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The PEM text of one of the files.
    public func text(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static let opensslPath = "/usr/bin/openssl"

    /// Makes the files; nil when `openssl` is not installed. `clientName` is the client
    /// certificate's common name (a broker taking it as the user name sees it).
    public static func make(clientName: String = "outrigger-test-client") async throws -> TestCertificates? {
        guard FileManager.default.isExecutableFile(atPath: opensslPath) else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let certificates = TestCertificates(directory: directory)
        do {
            try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
                .write(to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
            try "extendedKeyUsage=clientAuth\n".write(to: directory.appendingPathComponent("client.ext"), atomically: true, encoding: .utf8)
            let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
            try await certificates.openssl(
                ["req", "-x509"] + key + [
                    "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Outrigger test CA",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                ])
            for (who, subject) in [("server", "/CN=localhost"), ("client", "/CN=\(clientName)")] {
                try await certificates.openssl(["req"] + key + ["-keyout", "\(who).key", "-out", "\(who).csr", "-subj", subject])
                try await certificates.openssl([
                    "x509", "-req", "-in", "\(who).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                    "-days", "2", "-extfile", "\(who).ext", "-out", "\(who).pem",
                ])
            }
            for name in ["ca.pem", "server.pem", "server.key", "client.pem", "client.key"] {
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: certificates.path(name))
            }
        } catch {
            certificates.remove()
            throw error
        }
        return certificates
    }

    private func openssl(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.opensslPath)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status = try await AwaitableProcess(launching: process).exited()
        guard status == 0 else { throw CertificateError(command: arguments.prefix(2).joined(separator: " "), status: status) }
    }

    public struct CertificateError: Error, CustomStringConvertible {
        public var command: String
        public var status: Int32
        public var description: String { "openssl \(command) failed with status \(status)" }
    }
}
