import Testing

/// Behaviour 7 (start-up): an unusable resource document stops the sidecar with a message naming
/// the file, the document and the field; Configuration documents are skipped.
@Suite("Start-up errors and skipped documents", .timeLimit(.minutes(1)))
struct StartupErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        /// The second document of `broken.yaml` (the first is a valid Component).
        var document: String
        /// Texts stderr must contain, besides the file and "document 2".
        var mentions: [String]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "YAML syntax error",
            document: """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: broken
                spec:
                  type: [pubsub.in-memory
                  version: v1

                """,
            mentions: ["YAML"]),
        Case(
            name: "unknown spec.type",
            document: """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: mystery
                spec:
                  type: pubsub.no-such-broker
                  version: v1

                """,
            mentions: ["spec.type", "pubsub.no-such-broker"]),
        Case(
            name: "missing spec.type",
            document: """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: typeless
                spec:
                  version: v1

                """,
            mentions: ["spec.type", "typeless"]),
        Case(
            name: "Subscription without topic",
            document: """
                apiVersion: dapr.io/v2alpha1
                kind: Subscription
                metadata:
                  name: topicless
                spec:
                  pubsubname: pubsub
                  routes:
                    default: /orders

                """,
            mentions: ["spec.topic", "topicless"]),
    ]

    @Test("a bad document stops start-up with status 2, naming file, document and field", arguments: cases)
    func badDocument(_ testCase: Case) async throws {
        let folder = try ResourceFolder()
        defer { folder.remove() }
        let file = try folder.write("broken.yaml", YAML.documents(YAML.pubsub(), testCase.document))
        let httpPort = Ports.allocate()
        let result = try await SidecarProcess.runToExit(
            ["run", "--app-id", "orders", "--dapr-http-port", String(httpPort), "--resources-path", folder.path])
        let output = "stderr:\n\(result.stderr)\nstdout:\n\(result.stdout)"
        #expect(result.status == 2, "exit status \(result.status)\n\(output)")
        #expect(result.stderr.contains(file), "the message should name \(file)\n\(output)")
        #expect(result.stderr.contains("document 2"), "the message should name document 2\n\(output)")
        for mention in testCase.mentions {
            #expect(result.stderr.contains(mention), "the message should mention '\(mention)'\n\(output)")
        }
    }

    @Test("a routing rule that does not parse stops start-up with status 2, naming file, document, field and column")
    func badRoutingRule() async throws {
        let folder = try ResourceFolder(["pubsub.yaml": YAML.pubsub()])
        defer { folder.remove() }
        let file = try folder.write("orders.yaml", YAML.subscriptionV2(
            name: "orders", topic: "orders", rules: [("event.data.priority ==", "/orders/priority")], defaultRoute: "/orders"))
        let app = try await TestApp.start()
        let httpPort = Ports.allocate()
        let sidecar = try SidecarProcess.launch(
            ["run", "--app-id", "orders", "--app-port", String(app.port), "--dapr-http-port", String(httpPort),
             "--resources-path", folder.path, "--drain-timeout", "1s"],
            httpPort: httpPort)
        let status = try? await sidecar.waitForExit(timeout: .seconds(60))
        let logs = sidecar.logs
        #expect(status == 2, "exit status \(String(describing: status)) (configuration errors exit 2)\n\(sidecar.logTail)")
        #expect(logs.contains(file), "\(logs)")
        #expect(logs.contains("document 1"), "\(logs)")
        #expect(logs.contains("routes.rules[0].match"), "\(logs)")
        #expect(logs.contains("column 23"), "\(logs)")
        await sidecar.stop()
        await app.stop()
    }

    @Test("a YAML syntax error in the first document is reported too")
    func syntaxErrorInFirstDocument() async throws {
        let folder = try ResourceFolder()
        defer { folder.remove() }
        let file = try folder.write("pubsub.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: x\nspec:\n  type: pubsub.in-memory\n")
        let result = try await SidecarProcess.runToExit(
            ["run", "--dapr-http-port", String(Ports.allocate()), "--resources-path", folder.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(file), "\(result.stderr)")
        #expect(result.stderr.contains("document 1"), "\(result.stderr)")
    }

    @Test("a Configuration document in the folder is skipped and --config FILE is accepted")
    func configurationDocuments() async throws {
        let configuration = """
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata:
              name: appconfig
            spec:
              tracing:
                samplingRate: "1"
              features:
                - name: SomeFeature
                  enabled: true

            """
        let configFolder = try ResourceFolder(["config.yaml": configuration])
        defer { configFolder.remove() }
        let resources = [
            "pubsub.yaml": YAML.pubsub(),
            "appconfig.yaml": configuration,
            "orders.yaml": YAML.subscriptionV1(name: "orders", topic: "orders", route: "/orders"),
        ]
        let options = SidecarOptions(resources: resources, extraArguments: ["--config", configFolder.path + "/config.yaml"])
        try await withSidecar(options) { sidecar, app in
            try await sidecar.mustPublish(topic: "orders", json: #"{"configured": true}"#)
            #expect(try await app.waitFor("/orders").map(\.data) == [["configured": true]])
            let components = try await sidecar.metadata()["components"]?.array?.compactMap { $0["name"]?.string }
            #expect(components == ["pubsub"], sidecar.comment)
        }
    }

    @Test("--config naming a missing file is refused")
    func missingConfigFile() async throws {
        let result = try await SidecarProcess.runToExit(
            ["run", "--dapr-http-port", String(Ports.allocate()), "--config", "/nonexistent/outrigger-e2e-config.yaml"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--config"), "\(result.stderr)")
        #expect(result.stderr.contains("/nonexistent/outrigger-e2e-config.yaml"), "\(result.stderr)")
    }
}
