import Foundation
import Testing

/// `outrigger list`, `publish`, `invoke-binding` and `stop` against a running sidecar, each test
/// with a runtime directory of its own so sidecars of other tests are not seen.
@Suite("Client commands: list, publish, invoke-binding, stop", .timeLimit(.minutes(2)))
struct ClientCommandTests {
    /// A runtime directory for one test, removed by ``remove()``.
    struct RuntimeDirectory {
        let folder: ResourceFolder
        var environment: [String: String] { ["OUTRIGGER_RUNTIME_DIR": folder.path] }

        init() throws { folder = try ResourceFolder() }

        func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await SidecarProcess.runToExit(arguments, environment: environment)
        }

        func remove() { folder.remove() }
    }

    static let subscriptions = #"[{"pubsubname": "pubsub", "topic": "orders", "route": "/orders"}]"#

    @Test("list shows a running sidecar with its ports and pid; stop drains it, it exits 0, and list forgets it")
    func listAndStop() async throws {
        let runtime = try RuntimeDirectory()
        defer { runtime.remove() }
        try await withSidecar(SidecarOptions(appID: "lister", environment: runtime.environment)) { sidecar, _ in
            let table = try await runtime.run(["list"])
            #expect(table.status == 0, "\(table.stderr)")
            let row = table.stdout.split(separator: "\n").first { $0.hasPrefix("lister ") }
            let columns = row?.split(separator: " ", omittingEmptySubsequences: true).map(String.init) ?? []
            #expect(columns.count >= 6, "\(table.stdout)")
            #expect(columns.dropFirst().first == String(sidecar.httpPort))
            #expect(columns.contains(String(sidecar.pid)))

            let json = try await runtime.run(["list", "--output", "json"])
            let records = try JSON.parse(Array(json.stdout.utf8))
            #expect(records[0]?["appID"] == "lister")
            #expect(records[0]?["httpPort"]?.number == Double(sidecar.httpPort))

            let stop = try await runtime.run(["stop", "--app-id", "lister"])
            #expect(stop.status == 0, "\(stop.stderr)")
            #expect(stop.stdout.contains("app id 'lister' stopped"))
            #expect(!sidecar.isRunning, "stop returned before the sidecar exited")
            #expect(sidecar.exitStatus.value == 0, sidecar.comment)
            #expect(sidecar.logs.contains("outrigger stopped"))

            let after = try await runtime.run(["list"])
            #expect(after.stdout.contains("No sidecars are running."), "\(after.stdout)")
        }
    }

    @Test("list ignores and removes the record of a sidecar that was killed")
    func staleRecord() async throws {
        let runtime = try RuntimeDirectory()
        defer { runtime.remove() }
        // A record like a sidecar's, for a pid that does not exist (pid_max is at most 2^22).
        let stale = #"{"appID":"ghost","command":[],"grpcPort":1,"httpPort":2,"metricsPort":0,"pid":4194305,"resourcesPaths":[],"started":0}"#
        let file = try runtime.folder.write("ghost-4194305.json", stale)
        let listed = try await runtime.run(["list"])
        #expect(!listed.stdout.contains("ghost"), "\(listed.stdout)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test("publish reaches the subscriber of a running sidecar, with data, content type and metadata")
    func publish() async throws {
        let runtime = try RuntimeDirectory()
        defer { runtime.remove() }
        try await withSidecar(SidecarOptions(appID: "publisher", environment: runtime.environment), subscriptions: Self.subscriptions) { _, app in
            let result = try await runtime.run([
                "publish", "--publish-app-id", "publisher", "--pubsub", "pubsub", "--topic", "orders",
                "--data", #"{"orderId": 7}"#, "--metadata", #"{"cloudevent.type": "order.placed"}"#,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Event published successfully"))
            let event = try #require(try await app.waitFor("/orders").first?.json)
            #expect(event["data"] == ["orderId": 7])
            #expect(event["type"] == "order.placed")
            #expect(event["datacontenttype"] == "application/json")
            #expect(event["source"] == "publisher")

            let file = try runtime.folder.write("event.txt", "plain words")
            let fromFile = try await runtime.run(["publish", "-i", "publisher", "-p", "pubsub", "-t", "orders", "-f", file])
            #expect(fromFile.status == 0, "\(fromFile.stderr)")
            let second = try await app.waitFor("/orders", count: 2)
            #expect(second.last?.json?["data"] == "plain words")
            #expect(second.last?.json?["datacontenttype"] == "text/plain")
        }
    }

    @Test("publish names the app id when no sidecar runs with it, and shows the sidecar's error body")
    func publishErrors() async throws {
        let runtime = try RuntimeDirectory()
        defer { runtime.remove() }
        let missing = try await runtime.run(["publish", "-i", "nobody", "-p", "pubsub", "-t", "t", "-d", "{}"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no sidecar with app id 'nobody' is running"), "\(missing.stderr)")

        try await withSidecar(SidecarOptions(appID: "wrong-pubsub", environment: runtime.environment)) { _, _ in
            let refused = try await runtime.run(["publish", "-i", "wrong-pubsub", "-p", "absent", "-t", "t", "-d", "{}"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("ERR_PUBSUB_NOT_FOUND"), "\(refused.stderr)")
        }
    }

    @Test("invoke-binding sends operation, data and metadata to an output binding and prints its answer")
    func invokeBinding() async throws {
        let runtime = try RuntimeDirectory()
        defer { runtime.remove() }
        let storage = try ResourceFolder()
        defer { storage.remove() }
        let resources = ["files.yaml": BindingTests.localStorage(name: "files", root: storage.path)]
        try await withSidecar(SidecarOptions(appID: "binder", resources: resources, environment: runtime.environment)) { _, _ in
            let create = try await runtime.run([
                "invoke-binding", "--name", "files", "--operation", "create", "--data", #"{"id": 1}"#,
                "--metadata", #"{"fileName": "order.json"}"#,
            ])
            #expect(create.status == 0, "\(create.stderr)")
            let written = FileManager.default.contents(atPath: storage.path + "/order.json").map { String(decoding: $0, as: UTF8.self) }
            #expect(written == #"{"id":1}"#)

            // One sidecar runs in this runtime directory, so --app-id may be left out.
            let get = try await runtime.run(["invoke-binding", "-n", "files", "-o", "get", "-m", #"{"fileName": "order.json"}"#])
            #expect(get.status == 0, "\(get.stderr)")
            #expect(get.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"id":1}"#)

            let unknown = try await runtime.run(["invoke-binding", "-n", "files", "-o", "explode"])
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("400"), "\(unknown.stderr)")
        }
    }

    @Test("stop fails naming an app id that is not running")
    func stopUnknown() async throws {
        let runtime = try RuntimeDirectory()
        defer { runtime.remove() }
        let result = try await runtime.run(["stop", "--app-id", "nobody"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no sidecar with app id 'nobody' is running"), "\(result.stderr)")
    }

    @Test("completion prints a script for each shell that knows every subcommand", arguments: ["bash", "zsh", "fish"])
    func completion(_ shell: String) async throws {
        let result = try await SidecarProcess.runToExit(["completion", shell])
        #expect(result.status == 0, "\(result.stderr)")
        for command in ["run", "publish", "invoke-binding", "list", "stop", "components"] {
            #expect(result.stdout.contains(command), "\(shell) completion lacks \(command)")
        }
        let refused = try await SidecarProcess.runToExit(["completion", "tcsh"])
        #expect(refused.status != 0 && refused.stderr.contains("bash, zsh or fish"), "\(refused.stderr)")
    }
}
