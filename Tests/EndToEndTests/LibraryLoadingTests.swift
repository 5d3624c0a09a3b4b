import Foundation
import Testing

/// libpq, with the ~20 libraries it pulls in, is loaded when a PostgreSQL component first
/// connects, not when the sidecar starts (Sources/CLibPQ/shim.h, Sources/CLibPQLoader).
@Suite("Libraries loaded on demand", .timeLimit(.minutes(2)))
struct LibraryLoadingTests {
    /// `/proc/PID/maps`: the files `pid` has mapped. Read to the end with read(2): the file
    /// reports size 0, and a read sized by that stops after the first page.
    static func mappedFiles(_ pid: Int32) throws -> String {
        let descriptor = open("/proc/\(pid)/maps", O_RDONLY)
        guard descriptor >= 0 else { throw HarnessError("cannot open /proc/\(pid)/maps: errno \(errno)") }
        defer { close(descriptor) }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while case let count = read(descriptor, &chunk, chunk.count), count > 0 { text += chunk[..<count] }
        return String(decoding: text, as: UTF8.self)
    }

    @Test("a sidecar without a PostgreSQL component never maps libpq")
    func withoutPostgres() async throws {
        try await withSidecar { sidecar, _ in
            let maps = try Self.mappedFiles(sidecar.pid)
            #expect(maps.contains("/libc.so"), "the maps read are a process's with shared libraries")
            #expect(!maps.contains("/libpq.so"))
            #expect(!maps.contains("/libgnutls.so"))
        }
    }

    @Test("a bindings.postgresql component loads libpq when it connects, and works through it")
    func withPostgres() async throws {
        try requireBroker("postgres", port: 5432, for: "LibraryLoadingTests")
        let binding = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: orders-db
            spec:
              type: bindings.postgresql
              version: v1
              metadata:
              - name: connectionString
                value: "host=127.0.0.1 port=5432 user=postgres password=example dbname=dapr_test sslmode=disable"
            """
        let resources = ["pubsub.yaml": YAML.pubsub(), "orders-db.yaml": binding]
        try await withSidecar(SidecarOptions(resources: resources)) { sidecar, _ in
            #expect(try Self.mappedFiles(sidecar.pid).contains("/libpq.so.5"))
            let response = try await sidecar.invokeBinding("orders-db", #"{"operation": "query", "metadata": {"sql": "SELECT 40 + 2 AS answer"}}"#)
            #expect(response.status == 200, "\(response.text)")
            #expect(response.text == "[[42]]")
        }
    }
}
