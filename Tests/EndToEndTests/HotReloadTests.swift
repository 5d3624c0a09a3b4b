import Foundation
import OutriggerCore
import Testing

/// `--watch` (and Dapr's HotReload feature): resource files changed under a running sidecar.
@Suite("Hot reload", .timeLimit(.minutes(2)))
struct HotReloadTests {
    /// The resources folder the sidecar was started with.
    static func folder(of sidecar: SidecarProcess) throws -> String {
        guard let index = sidecar.arguments.firstIndex(of: "--resources-path"), index + 1 < sidecar.arguments.count else {
            throw HarnessError("the sidecar was started without --resources-path")
        }
        return sidecar.arguments[index + 1]
    }

    /// Publishes until the sidecar answers `status` (the reload is applied within a second or two).
    static func publishUntil(_ sidecar: SidecarProcess, pubsub: String, topic: String, answers status: Int) async throws {
        try await poll(every: .milliseconds(100), for: .seconds(20), "publishing to '\(pubsub)' to answer \(status)") { () -> Bool? in
            let response = try await sidecar.publish(pubsub: pubsub, topic: topic, json: #"{"probe": true}"#)
            return response.status == status ? true : nil
        }
    }

    @Test("an added component file is loaded and the app's subscription to it starts; a removed one is unloaded")
    func addAndRemove() async throws {
        let subscriptions = #"[{"pubsubname": "pubsub", "topic": "a", "route": "/a"}, {"pubsubname": "extra", "topic": "b", "route": "/b"}]"#
        try await withSidecar(SidecarOptions(extraArguments: ["--watch"]), subscriptions: subscriptions) { sidecar, app in
            let folder = try Self.folder(of: sidecar)
            let first = try await sidecar.publish(pubsub: "extra", topic: "b", json: #"{"n": 0}"#)
            #expect(first.status == 404, "no component 'extra' yet: \(first.text)")

            try YAML.pubsub(name: "extra").write(toFile: folder + "/extra.yaml", atomically: true, encoding: .utf8)
            try await Self.publishUntil(sidecar, pubsub: "extra", topic: "b", answers: 204)
            try await sidecar.mustPublish(topic: "a", json: #"{"still": "there"}"#)
            try await app.waitFor("/b") { _ in true }
            try await app.waitFor("/a") { $0.data == ["still": "there"] }
            #expect(sidecar.logs.contains("hot reload: component added"), sidecar.comment)

            try FileManager.default.removeItem(atPath: folder + "/extra.yaml")
            try await Self.publishUntil(sidecar, pubsub: "extra", topic: "b", answers: 404)
            let metadata = try await sidecar.metadata()
            let names = metadata["components"]?.array?.compactMap { $0["name"]?.string } ?? []
            #expect(names == ["pubsub"], "\(metadata)")
            #expect(sidecar.logs.contains("hot reload: component removed"), sidecar.comment)
        }
    }

    @Test("a broken file is reported and the running components and subscriptions keep working")
    func brokenFile() async throws {
        let subscriptions = #"[{"pubsubname": "pubsub", "topic": "a", "route": "/a"}]"#
        try await withSidecar(SidecarOptions(extraArguments: ["--watch"]), subscriptions: subscriptions) { sidecar, app in
            let folder = try Self.folder(of: sidecar)
            try "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: broken}\nspec: {type: pubsub.nothing, version: v1}\n"
                .write(toFile: folder + "/broken.yaml", atomically: true, encoding: .utf8)
            try "kind: Component\n  not: [valid".write(toFile: folder + "/worse.yaml", atomically: true, encoding: .utf8)
            try await poll(for: .seconds(60), "the reload failure to be logged") { () -> Bool? in
                sidecar.logs.contains("hot reload: the resources do not load; the running ones are kept") ? true : nil
            }
            try await sidecar.mustPublish(topic: "a", json: #"{"after": "broken"}"#)
            try await app.waitFor("/a") { $0.data == ["after": "broken"] }

            // Fixing the syntax leaves the unknown type: that component is refused, the rest runs.
            try FileManager.default.removeItem(atPath: folder + "/worse.yaml")
            try await poll(for: .seconds(60), "the unknown type to be refused") { () -> Bool? in
                sidecar.logs.contains("hot reload: component 'broken' cannot start; it is not added") ? true : nil
            }
            try await sidecar.mustPublish(topic: "a", json: #"{"after": "fixed"}"#)
            try await app.waitFor("/a") { $0.data == ["after": "fixed"] }
        }
    }

    @Test("a changed Resiliency file applies to the next delivery: maxRetries 0 gives one attempt, then 2 gives three")
    func resiliencyChange() async throws {
        let resources = ["pubsub.yaml": YAML.pubsub(), "resiliency.yaml": YAML.resiliency(maxRetries: 0, duration: "20ms")]
        let subscriptions = #"[{"pubsubname": "pubsub", "topic": "fails", "route": "/fails", "deadLetterTopic": "fails-dead"}]"#
        let script: TestApp.Script = { request in request.path == "/fails" ? .status(500) : .success }
        try await withSidecar(SidecarOptions(resources: resources, extraArguments: ["--watch"]), subscriptions: subscriptions, script: script) { sidecar, app in
            let folder = try Self.folder(of: sidecar)
            try await sidecar.mustPublish(topic: "fails", json: #"{"round": 1}"#)
            try await sidecar.waitForCounters(topic: "fails", ["deadLettered": 1, "inFlight": 0])
            #expect(app.received("/fails").count == 1)

            try YAML.resiliency(maxRetries: 2, duration: "20ms").write(toFile: folder + "/resiliency.yaml", atomically: true, encoding: .utf8)
            try await poll(for: .seconds(60), "the new policies to be in force") { () -> Bool? in
                sidecar.logs.contains("hot reload: Resiliency policies changed") ? true : nil
            }
            // The subscription restarted with the new policy (its counters start again).
            try await poll(for: .seconds(60), "the subscription to be back") { () -> Bool? in
                (try? await sidecar.deliveries(topic: "fails")) != nil ? true : nil
            }
            try await sidecar.mustPublish(topic: "fails", json: #"{"round": 2}"#)
            try await sidecar.waitForCounters(topic: "fails", ["deadLettered": 1, "inFlight": 0])
            let attempts = app.received("/fails")
            #expect(attempts.filter { $0.data == ["round": 2] }.count == 3, "\(attempts)")
            #expect(attempts.filter { $0.data == ["round": 1] }.count == 1, "\(attempts)")
        }
    }

    @Test("a pubsub.redis component changed while messages flow: every accepted publish is delivered")
    func changeUnderLoad() async throws {
        try requireBroker("redis", port: 6379, for: "HotReloadTests")
        let topic = "reload-\(UUID().uuidString.prefix(8))"
        let subscriptions = #"[{"pubsubname": "pubsub", "topic": "\#(topic)", "route": "/orders"}]"#
        let options = SidecarOptions(appID: "reload-\(topic)", resources: ["pubsub.yaml": YAML.redisPubsub(processingTimeout: "5s")], extraArguments: ["--watch"])
        try await withSidecar(options, subscriptions: subscriptions) { sidecar, app in
            let folder = try Self.folder(of: sidecar)
            var accepted: Set<Int> = []
            for number in 0..<300 {
                if number == 100 {
                    try YAML.redisPubsub(processingTimeout: "6s").write(toFile: folder + "/pubsub.yaml", atomically: true, encoding: .utf8)
                }
                let response = try await sidecar.publish(topic: topic, json: #"{"n": \#(number)}"#)
                if response.status == 204 { accepted.insert(number) }
                if number % 10 == 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(accepted.count >= 250, "most publishes are accepted while the component is swapped: \(accepted.count)")
            let published = accepted
            try await poll(for: .seconds(60), "every accepted publish to be delivered") { () -> Bool? in
                let delivered = Set(app.received("/orders").compactMap { $0.data?["n"]?.number.map { Int($0) } })
                return published.isSubset(of: delivered) ? true : nil
            }
            #expect(sidecar.logs.contains("hot reload: component replaced"), sidecar.comment)
        }
    }
}
