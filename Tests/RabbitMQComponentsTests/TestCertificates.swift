import Foundation
import Testing

/// A throwaway CA with a server certificate for `localhost` and a client certificate, made
/// with the `openssl` command line tool (skipped when it is missing).
struct TestCertificates {
    var ca: String
    var serverCertificate: String
    var serverKey: String
    var clientCertificate: String
    var clientKey: String

    static func make() throws -> TestCertificates {
        let openssl = "/usr/bin/openssl"
        guard FileManager.default.isExecutableFile(atPath: openssl) else { try Test.cancel("openssl is not installed") }
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("outrigger-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func run(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw PrivateBrokerError("openssl \(arguments.first ?? "") failed") }
        }
        try "subjectAltName = DNS:localhost\n".write(to: directory.appendingPathComponent("san.ext"), atomically: true, encoding: .utf8)
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=outrigger-test-ca"])
        for (name, subject) in [("server", "/CN=localhost"), ("client", "/CN=guest")] {
            try run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
            try run([
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "\(name).pem", "-days", "2",
                "-extfile", "san.ext",
            ])
        }
        func read(_ name: String) throws -> String { try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) }
        return TestCertificates(
            ca: try read("ca.pem"), serverCertificate: try read("server.pem"), serverKey: try read("server.key"),
            clientCertificate: try read("client.pem"), clientKey: try read("client.key"))
    }
}
