import Foundation

/// A throw-away CA with a server certificate for `localhost` and a client certificate, made with
/// the `openssl` command line tool in a temporary directory.
struct TestCertificates {
    let directory: URL

    var caPath: String { path("ca.pem") }
    var serverCertificatePath: String { path("server.pem") }
    var serverKeyPath: String { path("server.key") }
    var clientCertificatePath: String { path("client.pem") }
    var clientKeyPath: String { path("client.key") }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// nil when `openssl` is not installed.
    static func make() throws -> TestCertificates? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-http-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
            key ca.key
            openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj "/CN=Outrigger test CA" \
                -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
            for who in server client; do
                key $who.key
                openssl req -new -key $who.key -out $who.csr -subj "/CN=localhost"
            done
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext
            printf 'extendedKeyUsage=clientAuth\\n' > client.ext
            for who in server client; do
                openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
                    -extfile $who.ext -out $who.pem 2>/dev/null
            done
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CertificateError(status: process.terminationStatus) }
        return TestCertificates(directory: directory)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    struct CertificateError: Error, CustomStringConvertible {
        var status: Int32
        var description: String { "openssl failed with status \(status)" }
    }
}
