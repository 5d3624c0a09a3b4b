import Foundation
import OutriggerTesting
import Testing

/// Behaviour 1: `outrigger run ... -- CMD`, the flags, help, and the launched app's lifetime.
@Suite("Command line and the launched app", .timeLimit(.minutes(1)))
struct CommandLineTests {
    enum FlagStyle: String, Sendable, CaseIterable, CustomStringConvertible {
        case long, short
        var description: String { rawValue }
    }

    static let subscriptions = #"[{"pubsubname": "pubsub", "topic": "cli", "route": "/cli"}]"#

    @Test("run -- CMD launches CMD with APP_ID, APP_PORT, DAPR_HTTP_PORT, DAPR_GRPC_PORT and none of the sidecar's descriptors, subscribes, and stops it on SIGTERM",
          arguments: FlagStyle.allCases)
    func launchesTheApp(_ style: FlagStyle) async throws {
        let folder = try ResourceFolder(["pubsub.yaml": YAML.pubsub()])
        defer { folder.remove() }
        let app = try await TestApp.start(subscriptions: Self.subscriptions)
        let httpPort = Ports.allocate()
        let grpcPort = Ports.allocate()
        let flags = switch style {
        case .long:
            ["--app-id", "orders", "--app-port", String(app.port), "--dapr-http-port", String(httpPort),
             "--dapr-grpc-port", String(grpcPort), "--resources-path", folder.path]
        case .short:
            ["-a", "orders", "-p", String(app.port), "-H", String(httpPort), "-G", String(grpcPort), "-d", folder.path]
        }
        let command = try LaunchedApp.command(in: folder, "serve", "--flag-for-the-app")
        let sidecar = try SidecarProcess.launch(["run"] + flags + ["--drain-timeout", "1s", "--metrics-port", String(Ports.allocate()), "--"] + command, httpPort: httpPort)
        do {
            try await sidecar.waitUntilHealthy()
            let report = try #require(try await app.waitFor("/launched/env").first?.json)
            let environment = try #require(report["env"])
            #expect(environment["APP_ID"] == "orders", sidecar.comment)
            #expect(environment["APP_PORT"]?.string == String(app.port))
            #expect(environment["DAPR_HTTP_PORT"]?.string == String(httpPort))
            #expect(environment["DAPR_GRPC_PORT"]?.string == String(grpcPort))
            #expect(report["argv"] == ["serve", "--flag-for-the-app"])
            // Not the sidecar's sockets (its gRPC listener, broker connections) nor anything else.
            #expect(report["inherited"]?.object?.isEmpty == true, "the app inherited \(report["inherited"].map { "\($0)" } ?? "?")")

            #expect(app.received("/dapr/subscribe", method: "GET").count == 1, sidecar.comment)
            try await sidecar.mustPublish(topic: "cli", json: #"{"via": "cli"}"#)
            let event = try #require(try await app.waitFor("/cli").first?.json)
            #expect(event["data"] == ["via": "cli"])
            #expect(event["source"] == "orders")

            sidecar.terminate()
            try await app.waitFor("/launched/sigterm")
            let status = try await sidecar.waitForExit(timeout: .seconds(10))
            #expect(status == 0, sidecar.comment)
        } catch {
            Issue.record(error, sidecar.comment)
        }
        await sidecar.stop()
        await app.stop()
    }

    @Test("SIGTERM stops a launched app that does not handle SIGTERM, and the sidecar still exits 0")
    func sigtermWithAPlainLaunchedApp() async throws {
        let folder = try ResourceFolder(["pubsub.yaml": YAML.pubsub()])
        defer { folder.remove() }
        let app = try await TestApp.start(subscriptions: Self.subscriptions)
        let httpPort = Ports.allocate()
        let sidecar = try SidecarProcess.launch(
            ["run", "--app-id", "orders", "--app-port", String(app.port), "--dapr-http-port", String(httpPort),
             "--resources-path", folder.path, "--drain-timeout", "1s", "--", "/bin/sleep", "30"],
            httpPort: httpPort)
        do {
            try await sidecar.waitUntilHealthy()
            sidecar.terminate()
            let status = try await sidecar.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "a graceful shutdown on SIGTERM exited with \(status) (the stopped app's status)\n\(sidecar.logTail)")
        } catch {
            Issue.record(error, sidecar.comment)
        }
        await sidecar.stop()
        await app.stop()
    }

    @Test("Ctrl-C reaching the sidecar and the launched app at once: deliveries drain in order and the sidecar exits 0")
    func interruptReachesBoth() async throws {
        let folder = try ResourceFolder(["pubsub.yaml": YAML.pubsub()])
        defer { folder.remove() }
        let app = try await TestApp.start(subscriptions: Self.subscriptions)
        let httpPort = Ports.allocate()
        // `sleep` dies of SIGINT (status 130), as most programs do on Ctrl-C.
        let sidecar = try SidecarProcess.launch(
            ["run", "--app-id", "orders", "--app-port", String(app.port), "--dapr-http-port", String(httpPort),
             "--resources-path", folder.path, "--drain-timeout", "1s", "--", "/bin/sleep", "30"],
            httpPort: httpPort)
        do {
            try await sidecar.waitUntilHealthy()
            let launched = try #require(sidecar.logs.firstMatch(of: /pid=(\d+) scope=app \[OutriggerRuntime\] app launched/).flatMap { Int32($0.1) }, sidecar.comment)
            // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
            kill(launched, SIGINT)
            sidecar.signal(SIGINT)
            let status = try await sidecar.waitForExit(timeout: .seconds(20))
            #expect(status == 0, "Ctrl-C ended the run with \(status)\n\(sidecar.logTail)")
            #expect(!sidecar.logs.contains("finished unexpectedly"), sidecar.comment)
        } catch {
            Issue.record(error, sidecar.comment)
        }
        await sidecar.stop()
        await app.stop()
    }

    @Test("without `--` it runs as a plain sidecar for an app started separately")
    func plainSidecar() async throws {
        try await withSidecar(subscriptions: Self.subscriptions) { sidecar, app in
            #expect(!sidecar.arguments.contains("--"))
            #expect(app.received("/dapr/subscribe", method: "GET").count == 1)
            try await sidecar.mustPublish(topic: "cli", json: #"{"plain": true}"#)
            #expect(try await app.waitFor("/cli").map(\.data) == [["plain": true]])
            sidecar.terminate()
            #expect(try await sidecar.waitForExit(timeout: .seconds(10)) == 0, sidecar.comment)
            // The separately started app is not the sidecar's to stop: it still answers.
            let stillUp = try await HTTP.request("GET", "http://127.0.0.1:\(app.port)/dapr/subscribe")
            #expect(stillUp.status == 200)
        }
    }

    @Test("when the launched app exits by itself, the sidecar exits with the app's status")
    func appExitEndsTheSidecar() async throws {
        let folder = try ResourceFolder(["pubsub.yaml": YAML.pubsub()])
        defer { folder.remove() }
        let app = try await TestApp.start(subscriptions: Self.subscriptions)
        let httpPort = Ports.allocate()
        let command = try LaunchedApp.command(in: folder, "exit-when-ready", "7")
        let sidecar = try SidecarProcess.launch(
            ["run", "--app-id", "orders", "--app-port", String(app.port), "--dapr-http-port", String(httpPort),
             "--resources-path", folder.path, "--drain-timeout", "1s", "--"] + command,
            httpPort: httpPort)
        do {
            try await app.waitFor("/launched/env")
            let status = try await sidecar.waitForExit(timeout: .seconds(15))
            #expect(status == 7, sidecar.comment)
            #expect(app.received("/launched/sigterm").isEmpty)
        } catch {
            Issue.record(error, sidecar.comment)
        }
        await sidecar.stop()
        await app.stop()
    }

    @Test("when the launched app exits before opening its port, the sidecar exits at once with the app's status")
    func appExitBeforeListening() async throws {
        let folder = try ResourceFolder(["pubsub.yaml": YAML.pubsub()])
        defer { folder.remove() }
        let httpPort = Ports.allocate()
        let sidecar = try SidecarProcess.launch(
            ["run", "--app-id", "orders", "--app-port", String(Ports.allocate()), "--dapr-http-port", String(httpPort),
             "--resources-path", folder.path, "--drain-timeout", "1s", "--app-startup-timeout", "8s",
             "--", "/bin/sh", "-c", "exit 3"],
            httpPort: httpPort)
        let started = ContinuousClock.now
        let status = try? await sidecar.waitForExit(timeout: .seconds(4))
        #expect(status == 3, "the app exited with 3 at once; the sidecar \(status.map { "exited with \($0)" } ?? "was still running") after \(ContinuousClock.now - started)\n\(sidecar.logTail)")
        await sidecar.stop()
    }

    @Test("--app-startup-timeout holds when connection attempts to the app port hang (a listener whose backlog is full)")
    func appPortThatDropsConnections() async throws {
        let listener = try FullBacklogListener()
        defer { listener.close() }
        let folder = try ResourceFolder(["pubsub.yaml": YAML.pubsub()])
        defer { folder.remove() }
        let httpPort = Ports.allocate()
        let sidecar = try SidecarProcess.launch(
            ["run", "--app-id", "orders", "--app-port", String(listener.port), "--dapr-http-port", String(httpPort),
             "--resources-path", folder.path, "--drain-timeout", "1s", "--app-startup-timeout", "2s"],
            httpPort: httpPort)
        let started = ContinuousClock.now
        // A blocking connect would wait out the kernel's SYN retries (about two minutes).
        let status = try? await sidecar.waitForExit(timeout: .seconds(40))
        #expect(status.map { $0 != 0 } == true, "the sidecar \(status.map { "exited with \($0)" } ?? "was still running") after \(ContinuousClock.now - started)\n\(sidecar.logTail)")
        #expect(sidecar.logTail.contains("did not open port \(listener.port) within 2s"), "\(sidecar.logTail)")
        await sidecar.stop()
    }

    @Test("outrigger --help and outrigger run --help exit 0 and describe the main options")
    func help() async throws {
        let top = try await SidecarProcess.runToExit(["--help"])
        #expect(top.status == 0, "\(top.stderr)")
        for text in ["run", "--app-id", "--app-port", "--resources-path"] {
            #expect(top.stdout.contains(text), "outrigger --help should mention \(text):\n\(top.stdout)")
        }
        let run = try await SidecarProcess.runToExit(["run", "--help"])
        #expect(run.status == 0, "\(run.stderr)")
        for text in ["-a, --app-id", "-p, --app-port", "-H, --dapr-http-port", "-G, --dapr-grpc-port",
                     "-d, --resources-path", "--config", "--drain-timeout", "--app-startup-timeout", "--log-level",
                     "APP_ID", "DAPR_HTTP_PORT"] {
            #expect(run.stdout.contains(text), "outrigger run --help should mention \(text):\n\(run.stdout)")
        }
    }

    @Test("an unknown flag is refused with a usage error")
    func unknownFlag() async throws {
        let result = try await SidecarProcess.runToExit(["run", "--dapr-http-port", String(Ports.allocate()), "--no-such-flag"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--no-such-flag"), "\(result.stderr)")
    }
}
