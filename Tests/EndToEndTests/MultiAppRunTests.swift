import Foundation
import OutriggerCore
import OutriggerTesting
import Testing

/// `outrigger run -f dapr.yaml`: Dapr's Multi-App Run template, with the real binary and apps
/// written against the Python standard library.
@Suite("Multi-App Run (run -f)", .timeLimit(.minutes(2)))
struct MultiAppRunTests {
    /// Subscribes to `topic` on `pubsub` and prints `Subscriber received: <data>` per event.
    static func subscriber(pubsub: String, topic: String) -> String {
        """
        import json, os
        from http.server import BaseHTTPRequestHandler, HTTPServer

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, body):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self.answer(json.dumps([{"pubsubname": "\(pubsub)", "topic": "\(topic)", "route": "/\(topic)"}]).encode())

            def do_POST(self):
                event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                print("Subscriber received: " + json.dumps(event["data"], sort_keys=True), flush=True)
                self.answer(b'{"status": "SUCCESS"}')

        print("listening as " + os.environ["APP_ID"], flush=True)
        HTTPServer(("127.0.0.1", int(os.environ["APP_PORT"])), Handler).serve_forever()
        """
    }

    /// Publishes `{"orderId": 1...count}` to its own sidecar, then exits.
    static func publisher(pubsub: String, topic: String, count: Int) -> String {
        """
        import json, os, urllib.request
        url = "http://127.0.0.1:" + os.environ["DAPR_HTTP_PORT"] + "/v1.0/publish/\(pubsub)/\(topic)"
        for number in range(1, \(count + 1)):
            body = json.dumps({"orderId": number}).encode()
            request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
            urllib.request.urlopen(request).read()
            print("Published data: " + json.dumps({"orderId": number}), flush=True)
        """
    }

    /// The template's folder: `dapr.yaml`, `components/`, one folder per app.
    static func folder(_ files: [String: String]) throws -> ResourceFolder {
        let folder = try ResourceFolder()
        for (name, contents) in files {
            let directory = (name as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: folder.path + "/" + directory, withIntermediateDirectories: true)
            }
            try folder.write(name, contents)
        }
        return folder
    }

    @Test("a publisher and a subscriber on Redis: every message arrives, output is prefixed per app and logged per app, Ctrl-C stops all")
    func publisherAndSubscriber() async throws {
        try requireBroker("redis", port: 6379, for: "MultiAppRunTests")
        let topic = "orders-\(UUID().uuidString.prefix(8))"
        let appPort = Ports.allocate()
        let folder = try Self.folder([
            "dapr.yaml": """
                version: 1
                common:
                  resourcesPath: ./components/
                apps:
                  - appID: order-processor
                    appDirPath: ./order-processor/
                    appPort: \(appPort)
                    command: ["python3", "app.py"]
                  - appID: checkout
                    appDirPath: ./checkout/
                    command: ["python3", "app.py"]
                """,
            "components/pubsub.yaml": YAML.component(name: "orderpubsub", type: "pubsub.redis", metadata: [("redisHost", "localhost:6379")]),
            "order-processor/app.py": Self.subscriber(pubsub: "orderpubsub", topic: topic),
            "checkout/app.py": Self.publisher(pubsub: "orderpubsub", topic: topic, count: 5),
        ])
        defer { folder.remove() }
        let runtime = try ResourceFolder()
        defer { runtime.remove() }
        let run = try SidecarProcess.launch(["run", "-f", folder.path], environment: ["OUTRIGGER_RUNTIME_DIR": runtime.path])
        do {
            let expected = (1...5).map { #"== APP - order-processor == Subscriber received: {"orderId": \#($0)}"# }
            try await poll(for: .seconds(60), "the subscriber to print all five orders") { () -> Bool? in
                let lines = Set(run.stdout.text.split(separator: "\n").map(String.init))
                return expected.allSatisfy(lines.contains) ? true : nil
            }
            #expect(run.stdout.text.contains(#"== APP - checkout == Published data: {"orderId": 5}"#))
            // The publisher has exited: its sidecar went with it; the subscriber's still runs.
            try await poll(for: .seconds(60), "the checkout sidecar to stop after its app ended") { () -> Bool? in
                let list = try await SidecarProcess.runToExit(["list"], environment: ["OUTRIGGER_RUNTIME_DIR": runtime.path])
                return list.stdout.contains("checkout") ? nil : (list.stdout.contains("order-processor") ? true : nil)
            }
            run.signal(SIGINT)
            let status = try await run.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "\(run.logTail)")

            let logs = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/order-processor/.dapr/logs")
            let appLog = try #require(logs.first { $0.hasPrefix("order-processor_app_") })
            let sidecarLog = try #require(logs.first { $0.hasPrefix("order-processor_sidecar_") })
            let appText = try String(contentsOfFile: folder.path + "/order-processor/.dapr/logs/" + appLog, encoding: .utf8)
            #expect(appText.contains(#"Subscriber received: {"orderId": 3}"#))
            let sidecarText = try String(contentsOfFile: folder.path + "/order-processor/.dapr/logs/" + sidecarLog, encoding: .utf8)
            #expect(sidecarText.contains("outrigger stopped"), "the sidecar drained and exited before the run ended")
            #expect(!run.stdout.text.contains("== SIDECAR"), "sidecar logs go to their file only by default")
        } catch {
            Issue.record(error, run.comment)
        }
        await run.stop()
    }

    @Test("ports are chosen when not given; outrigger list and publish reach a template's sidecar; stop -f drains it and its app goes with it")
    func listPublishAndStop() async throws {
        let appPort = Ports.allocate()
        let folder = try Self.folder([
            "dapr.yaml": """
                version: 1
                apps:
                  - appID: solo
                    appDirPath: ./solo
                    appPort: \(appPort)
                    resourcesPaths: ["./components"]
                    command: ["python3", "app.py"]
                    appLogDestination: fileAndConsole
                    daprdLogDestination: console
                """,
            "components/pubsub.yaml": YAML.pubsub(),
            "solo/app.py": Self.subscriber(pubsub: "pubsub", topic: "notes"),
        ])
        defer { folder.remove() }
        let runtime = try ResourceFolder()
        defer { runtime.remove() }
        let environment = ["OUTRIGGER_RUNTIME_DIR": runtime.path]
        let run = try SidecarProcess.launch(["run", "-f", folder.path], environment: environment)
        do {
            let httpPort = try await poll(for: .seconds(60), "solo's sidecar to be listed") { () -> Int? in
                let list = try await SidecarProcess.runToExit(["list", "-o", "json"], environment: environment)
                let records = try? JSON.parse(Array(list.stdout.utf8))
                return records?[0]?["httpPort"]?.number.map { Int($0) }
            }
            #expect(httpPort != 3500, "a port is chosen when the template gives none")
            try await poll(for: .seconds(60), "solo's subscription") { () -> Bool? in
                let metadata = try? await HTTP.request("GET", "http://127.0.0.1:\(httpPort)/v1.0/metadata")
                let subscriptions = metadata.flatMap { try? JSON.parse($0.body) }?["subscriptions"]?.array
                return subscriptions?.isEmpty == false ? true : nil
            }
            let published = try await SidecarProcess.runToExit(["publish", "-i", "solo", "-p", "pubsub", "-t", "notes", "-d", #"{"n": 1}"#], environment: environment)
            #expect(published.status == 0, "\(published.stderr)")
            try await poll(for: .seconds(60), "the app to print the event") { () -> Bool? in
                run.stdout.text.contains(#"== APP - solo == Subscriber received: {"n": 1}"#) ? true : nil
            }
            #expect(run.stdout.text.contains("== SIDECAR - solo =="), "daprdLogDestination: console shows the sidecar's log")

            // `stop -f` stops the template's sidecars; the app then goes with its sidecar.
            let stopped = try await SidecarProcess.runToExit(["stop", "-f", folder.path], environment: environment)
            #expect(stopped.status == 0 && stopped.stdout.contains("app id 'solo' stopped"), "\(stopped.stderr)")
            let status = try await run.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "\(run.logTail)")
            let sidecarStopped = run.stdout.text.range(of: "== SIDECAR - solo ==")
                .flatMap { _ in run.stdout.text.range(of: "outrigger stopped") }
            let appStopped = run.logs.range(of: "app id 'solo' ended")
            #expect(sidecarStopped != nil && appStopped != nil, "\(run.stdout.text)\n\(run.logs)")
            let list = try await SidecarProcess.runToExit(["list"], environment: environment)
            #expect(list.stdout.contains("No sidecars are running."))
        } catch {
            Issue.record(error, run.comment)
        }
        await run.stop()
    }

    @Test("an app whose sidecar cannot start ends the run with an error naming it and its log file")
    func sidecarFailsToStart() async throws {
        let folder = try Self.folder([
            "dapr.yaml": "version: 1\napps:\n  - appID: doomed\n    appDirPath: ./doomed\n    command: [\"sleep\", \"60\"]\n",
            "doomed/.dapr/resources/bad.yaml": YAML.pubsub(type: "pubsub.no-such-broker"),
        ])
        defer { folder.remove() }
        let result = try await SidecarProcess.runToExit(["run", "-f", folder.path], timeout: .seconds(60))
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot start app id 'doomed'"), "\(result.stderr)")
        #expect(result.stderr.contains("doomed_sidecar_"), "\(result.stderr)")
        let logs = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/doomed/.dapr/logs")
        let log = try String(contentsOfFile: folder.path + "/doomed/.dapr/logs/" + (logs.first { $0.contains("_sidecar_") } ?? ""), encoding: .utf8)
        #expect(log.contains("pubsub.no-such-broker"), "the sidecar's own reason is in its log file")
    }

    @Test("a broken template stops run -f before anything starts, naming the file and field")
    func brokenTemplate() async throws {
        let folder = try Self.folder(["dapr.yaml": "version: 1\napps:\n  - appID: lost\n    appDirPath: ./nowhere\n"])
        defer { folder.remove() }
        let result = try await SidecarProcess.runToExit(["run", "-f", folder.path + "/dapr.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("dapr.yaml"), "\(result.stderr)")
        #expect(result.stderr.contains("apps[0].appDirPath"), "\(result.stderr)")
    }
}
