import Foundation
import Testing

/// The broker and database libraries, with what they pull in (OpenSSL, SASL, compression, and
/// for libpq GnuTLS and Kerberos), are loaded when a component first connects, not when the
/// sidecar starts (Sources/CLibraryLoader).
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

    /// Each library loaded on demand, and ones only they pull in.
    static let onDemand = [
        "libpq.so", "libhiredis.so", "librdkafka.so", "libmosquitto.so", "librabbitmq.so", "libnats.so",
        "libgnutls.so", "libssl.so", "libcrypto.so", "libsasl2.so", "libzstd.so",
    ]

    @Test("a sidecar with only the in-memory broker maps none of the broker and database libraries")
    func withoutBrokers() async throws {
        try await withSidecar { sidecar, _ in
            let maps = try Self.mappedFiles(sidecar.pid)
            #expect(maps.contains("/libc.so"), "the maps read are a process's with shared libraries")
            for library in Self.onDemand {
                #expect(!maps.contains("/" + library), "\(library) is mapped")
            }
        }
    }

    @Test("a pubsub.redis component loads hiredis when it connects, and only hiredis, and delivers through it")
    func withRedis() async throws {
        try requireBroker("redis", port: 6379, for: "LibraryLoadingTests")
        let topic = "loading-\(UUID().uuidString.prefix(8))"
        let pubsub = YAML.redisPubsub()
        let subscriptions = #"[{"pubsubname": "pubsub", "topic": "\#(topic)", "route": "/orders"}]"#
        let options = SidecarOptions(appID: "loading-\(topic)", resources: ["pubsub.yaml": pubsub])
        try await withSidecar(options, subscriptions: subscriptions) { sidecar, app in
            let response = try await sidecar.publish(topic: topic, json: #"{"n": 1}"#)
            #expect(response.status == 204, "\(response.text)")
            try await poll(for: .seconds(30), "the event to be delivered") { app.received("/orders").isEmpty ? nil : true }
            let maps = try Self.mappedFiles(sidecar.pid)
            #expect(maps.contains("/libhiredis.so"))
            for library in Self.onDemand where library != "libhiredis.so" {
                #expect(!maps.contains("/" + library), "\(library) is mapped")
            }
        }
    }

    @Test("a pubsub.kafka component loads librdkafka without Cyrus SASL's plugins, and publishes through it")
    func withKafka() async throws {
        try requireBroker("kafka", port: 9092, for: "LibraryLoadingTests")
        let pubsub = YAML.component(name: "pubsub", type: "pubsub.kafka", metadata: [("brokers", "127.0.0.1:9092"), ("authType", "none")])
        try await withSidecar(SidecarOptions(resources: ["pubsub.yaml": pubsub])) { sidecar, _ in
            let response = try await sidecar.publish(topic: "loading-\(UUID().uuidString.prefix(8))", json: #"{"n": 1}"#)
            #expect(response.status == 204, "\(response.text)")
            let maps = try Self.mappedFiles(sidecar.pid)
            #expect(maps.contains("/librdkafka.so.1"))
            // Debian's librdkafka links Cyrus SASL, whose initialization would load every
            // plugin in /usr/lib/x86_64-linux-gnu/sasl2 (Sources/CLibraryLoader/loader.c).
            #expect(maps.contains("/libsasl2.so"), "librdkafka without Cyrus SASL: the next check proves nothing")
            #expect(!maps.contains("/sasl2/"), "a Cyrus SASL plugin is mapped")
        }
    }

    @Test("a bindings.postgresql component loads libpq when it connects, and works through it")
    func withPostgres() async throws {
        try requireBroker("postgres", port: 5432, for: "LibraryLoadingTests")
        let binding = YAML.component(name: "orders-db", type: "bindings.postgresql", metadata: [
            ("connectionString", "host=127.0.0.1 port=5432 user=postgres password=example dbname=dapr_test sslmode=disable"),
        ])
        let resources = ["pubsub.yaml": YAML.pubsub(), "orders-db.yaml": binding]
        try await withSidecar(SidecarOptions(resources: resources)) { sidecar, _ in
            #expect(try Self.mappedFiles(sidecar.pid).contains("/libpq.so.5"))
            let response = try await sidecar.invokeBinding("orders-db", #"{"operation": "query", "metadata": {"sql": "SELECT 40 + 2 AS answer"}}"#)
            #expect(response.status == 200, "\(response.text)")
            #expect(response.text == "[[42]]")
        }
    }
}
