import OutriggerCore
import Testing

@Suite("Resource YAML loading")
struct ResourceLoaderTests {
    func load(_ text: String, file: String = "res.yaml") throws -> ResourceSet {
        var set = ResourceSet()
        try ResourceLoader.load(text: text, file: file, into: &set)
        return set
    }

    /// The error loading `text` raises; fails the test when it loads.
    func failure(_ text: String, file: String = "bad.yaml") -> ConfigurationError? {
        do {
            _ = try load(text, file: file)
            Issue.record("expected a ConfigurationError")
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("components, both subscription versions and unknown kinds in one file")
    func happyPath() throws {
        let set = try load("""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: orders
            spec:
              type: pubsub.redis
              version: v1
              ignoreErrors: true
              initTimeout: 2s
              metadata:
                - name: redisHost
                  value: localhost:6379
                - name: redisPassword
                  secretKeyRef: {name: redis, key: password}
            scopes: [checkout]
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Subscription
            metadata: {name: old}
            spec: {topic: a, route: /a, pubsubname: orders}
            ---
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata: {name: new}
            spec:
              topic: b
              pubsubname: orders
              deadLetterTopic: b-dead
              routes:
                rules:
                  - {match: 'event.type == "x"', path: /x}
                default: /b
              bulkSubscribe: {enabled: true, maxMessagesCount: 10, maxAwaitDurationMs: 50}
              metadata: {rawPayload: "true"}
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata: {name: tracing}
            spec: {}
            """)
        let component = try #require(set.components.first)
        #expect(component.name == "orders")
        #expect(component.type == "pubsub.redis")
        #expect(component.ignoreErrors)
        #expect(component.initTimeout == .seconds(2))
        #expect(component.scopes == ["checkout"])
        #expect(component.isVisible(to: "checkout") && !component.isVisible(to: "other"))
        #expect(component.metadata.count == 2)
        if case .secret(let name, let key) = component.metadata[1].value {
            #expect(name == "redis" && key == "password")
        } else {
            Issue.record("expected a secretKeyRef")
        }
        #expect(set.subscriptions.count == 2)
        #expect(set.subscriptions[0].defaultRoute == "/a")
        let v2 = set.subscriptions[1]
        #expect(v2.rules == [.init(match: #"event.type == "x""#, path: "/x")])
        #expect(v2.defaultRoute == "/b")
        #expect(v2.deadLetterTopic == "b-dead")
        #expect(v2.bulkSubscribe == .init(enabled: true, maxMessagesCount: 10, maxAwaitDuration: .milliseconds(50)))
        #expect(v2.rawPayload)
        #expect(set.skipped == ["res.yaml: Configuration 'tracing'"])
        #expect(set.warnings.isEmpty)
    }

    @Test("plain numbers, booleans and dates are read as written; YAML's null spellings mean absent")
    func scalarsStayText() throws {
        let set = try load("""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: {name: m}
            scopes: null
            spec:
              version: ~
              type: pubsub.in-memory
              metadata:
                - {name: hex, value: 0x1F}
                - {name: float, value: 1e3}
                - {name: yes, value: Yes}
                - {name: date, value: 2026-12-02}
                - {name: quoted, value: "null"}
                - {name: tagged, value: !!null x}
                - {name: word, value: NULL}
                - {name: empty, value: }
            """)
        let component = try #require(set.components.first)
        #expect(component.version == "v1")
        #expect(component.scopes.isEmpty)
        let values = component.metadata.map { item -> String in
            guard case .plain(let value) = item.value else { return "not plain" }
            return "\(item.name)=\(value)"
        }
        #expect(values == ["hex=0x1F", "float=1e3", "yes=Yes", "date=2026-12-02", "quoted=null", "tagged=", "word=", "empty="])
    }

    @Test("unknown fields are warned about with their line, not fatal")
    func unknownFieldsWarn() throws {
        let set = try load("""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: {name: m}
            spec:
              type: pubsub.in-memory
              colour: blue
            """)
        #expect(set.warnings == ["res.yaml:6: unknown field 'spec.colour' ignored"])
    }

    @Test("invalid YAML names the file")
    func syntaxError() {
        let error = failure("kind: Component\nmetadata: [unclosed\n")
        #expect(error?.file == "bad.yaml")
        #expect(error?.description.contains("is not valid YAML") == true)
    }

    @Test(
        "every malformed field is named with file, document and line",
        arguments: [
            ("kind: Component\napiVersion: dapr.io/v1alpha1\nspec: {type: pubsub.x}\n", "metadata.name", "is required"),
            ("kind: Component\napiVersion: dapr.io/v1alpha1\nmetadata: {name: a}\n", "spec", "is required"),
            ("kind: Component\napiVersion: dapr.io/v1alpha1\nmetadata: {name: a}\nspec: {version: v1}\n", "spec.type", "is required"),
            ("kind: Component\napiVersion: dapr.io/v1alpha1\nmetadata: {name: a}\nspec: {type: redis}\n", "spec.type", "is not a component type"),
            ("kind: Component\napiVersion: dapr.io/v2\nmetadata: {name: a}\nspec: {type: pubsub.x}\n", "apiVersion", "is not supported"),
            ("kind: Component\napiVersion: dapr.io/v1alpha1\nmetadata: {name: a}\nspec:\n  type: pubsub.x\n  metadata:\n    - {name: k, value: 1}\n    - {name: K, value: 2}\n", "spec.metadata[1].name", "given twice"),
            ("kind: Component\napiVersion: dapr.io/v1alpha1\nmetadata: {name: a}\nspec:\n  type: pubsub.x\n  metadata:\n    - value: 1\n", "spec.metadata[0].name", "is required"),
            ("kind: Component\napiVersion: dapr.io/v1alpha1\nmetadata: {name: a}\nspec:\n  type: pubsub.x\n  metadata: {k: v}\n", "spec.metadata", "must be a list"),
            ("kind: Component\napiVersion: dapr.io/v1alpha1\nmetadata: {name: a}\nspec: {type: pubsub.x, ignoreErrors: maybe}\n", "spec.ignoreErrors", "true or false"),
            ("kind: Component\napiVersion: dapr.io/v1alpha1\nmetadata: {name: a}\nspec: {type: pubsub.x, initTimeout: soon}\n", "spec.initTimeout", "is not a duration"),
            ("kind: Subscription\napiVersion: dapr.io/v2alpha1\nmetadata: {name: s}\nspec: {pubsubname: p, routes: {default: /a}}\n", "spec.topic", "is required"),
            ("kind: Subscription\napiVersion: dapr.io/v2alpha1\nmetadata: {name: s}\nspec: {pubsubname: p, topic: t}\n", "spec.routes", "is required"),
            ("kind: Subscription\napiVersion: dapr.io/v1alpha1\nmetadata: {name: s}\nspec: {topic: t, route: /a}\n", "spec.pubsubname", "is required"),
            ("kind: Subscription\napiVersion: dapr.io/v2alpha1\nmetadata: {name: s}\nspec: {pubsubname: p, topic: t, routes: {default: /a}, bulkSubscribe: {maxMessagesCount: 0}}\n", "spec.bulkSubscribe.maxMessagesCount", "at least 1"),
            ("kind: Resiliency\napiVersion: dapr.io/v1alpha1\nmetadata: {name: r}\nspec: {policies: {retries: {r: {policy: linear}}}}\n", "spec.policies.retries.r.policy", "'constant' or 'exponential'"),
            ("kind: Resiliency\napiVersion: dapr.io/v1alpha1\nmetadata: {name: r}\nspec: {policies: {retries: {r: {maxRetries: -2}}}}\n", "spec.policies.retries.r.maxRetries", "-1 (forever)"),
            ("kind: Resiliency\napiVersion: dapr.io/v1alpha1\nmetadata: {name: r}\nspec: {policies: {circuitBreakers: {c: {trip: 'errors > 1'}}}}\n", "spec.policies.circuitBreakers.c.trip", "unknown counter"),
            ("kind: Resiliency\napiVersion: dapr.io/v1alpha1\nmetadata: {name: r}\nspec: {policies: {timeouts: {t: 0s}}}\n", "spec.policies.timeouts.t", "positive duration"),
            ("kind: Resiliency\napiVersion: dapr.io/v1alpha1\nmetadata: {name: r}\nspec: {policies: {}, targets: {components: {p: {inbound: {retry: missing}}}}}\n", "spec.targets.components.p.inbound.retry", "names no policy 'missing'"),
        ])
    func fieldErrors(yaml: String, field: String, message: String) {
        let text = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: first}\nspec: {type: pubsub.in-memory}\n---\n" + yaml
        guard let error = failure(text) else { return }
        #expect(error.file == "bad.yaml")
        #expect(error.document == 2)
        #expect(error.field == field)
        #expect(error.description.contains(message), "\(error)")
        #expect(error.description.hasPrefix("bad.yaml"))
    }

    @Test("two components with one name are refused, naming both places")
    func duplicateNames() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-dup-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let component = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: same}\nspec: {type: pubsub.in-memory}\n"
        try component.write(to: folder.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try component.write(to: folder.appendingPathComponent("b.yml"), atomically: true, encoding: .utf8)
        try "not: a resource".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        do {
            _ = try ResourceLoader.load(paths: [folder.path])
            Issue.record("expected a duplicate-name error")
        } catch let error as ConfigurationError {
            #expect(error.file.hasSuffix("b.yml"))
            #expect(error.field == "metadata.name")
            #expect(error.description.contains("a.yaml"))
        }
    }

    @Test("a missing resources path is a clear error")
    func missingPath() {
        #expect(throws: ConfigurationError.self) { _ = try ResourceLoader.load(paths: ["/nonexistent/outrigger"]) }
    }
}

import Foundation
