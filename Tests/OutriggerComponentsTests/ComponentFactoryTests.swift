import Logging
import OutriggerComponents
import OutriggerCore
import Testing

/// Component inits that wait at a gate until every expected init has arrived: built one after
/// the other they would never finish (each ends by `initTimeout` instead).
private actor Gate {
    private let expected: Int
    private var arrived = 0
    private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]

    init(expected: Int) { self.expected = expected }

    /// Returns once `expected` callers arrived, or when the caller's task is cancelled (its
    /// `initTimeout` ran out).
    func pass() async {
        arrived += 1
        let ticket = arrived
        guard arrived < expected else {
            for continuation in waiting.values { continuation.resume() }
            waiting = [:]
            return
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { waiting[ticket] = continuation }
            }
        } onCancel: {
            Task { await self.leave(ticket) }
        }
    }

    private func leave(_ ticket: Int) {
        waiting.removeValue(forKey: ticket)?.resume()
    }
}

private actor Closed {
    private(set) var names: [String] = []
    func add(_ name: String) { names.append(name) }
}

private struct Recorded: Component {
    let name: String
    let closed: Closed
    func close() async { await closed.add(name) }
}

private struct Fixture {
    let gate: Gate
    let closed = Closed()

    init(expectedInits: Int) { gate = Gate(expected: expectedInits) }

    /// `pubsub.gated` passes the gate and builds; `pubsub.refused` passes it and fails on its
    /// metadata; `secretstores.plain` builds without the gate.
    var descriptors: [ComponentDescriptor] {
        let gate = gate, closed = closed
        return [
            ComponentDescriptor(type: "pubsub.gated", summary: "test") { metadata in
                await gate.pass()
                return Recorded(name: metadata.name, closed: closed)
            },
            ComponentDescriptor(type: "pubsub.refused", summary: "test") { metadata in
                await gate.pass()
                throw ComponentConfigurationError(component: metadata.name, field: "broker", reason: "is refused")
            },
            ComponentDescriptor(type: "secretstores.plain", summary: "test") { metadata in
                Recorded(name: metadata.name, closed: closed)
            },
        ]
    }

    /// Components in file order, one document each: (name, type, ignoreErrors).
    func specs(_ components: (String, String, Bool)...) -> [ComponentSpec] {
        components.enumerated().map { index, component in
            ComponentSpec(
                name: component.0, type: component.1, ignoreErrors: component.2, initTimeout: .seconds(30),
                origin: ResourceOrigin(file: "components.yaml", document: index + 1))
        }
    }
}

@Suite("Building the components of a run")
struct ComponentFactoryTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test("secret stores first, then the rest built at once, listed in the files' order")
    func concurrentInFileOrder() async throws {
        let fixture = Fixture(expectedInits: 3)
        let specs = fixture.specs(
            ("a", "pubsub.gated", false), ("b", "pubsub.gated", false), ("secrets", "secretstores.plain", false), ("c", "pubsub.gated", false))
        let loaded = try await ComponentFactory.build(specs, appID: "app", logger: logger, descriptors: fixture.descriptors)
        #expect(loaded.entries.map(\.spec.name) == ["secrets", "a", "b", "c"])
        #expect(await fixture.closed.names.isEmpty)
    }

    @Test("a failed init closes every component built and throws the first failure in the files' order")
    func failureClosesTheRest() async throws {
        let fixture = Fixture(expectedInits: 4)
        let specs = fixture.specs(
            ("a", "pubsub.gated", false), ("first-refused", "pubsub.refused", false), ("c", "pubsub.gated", false),
            ("second-refused", "pubsub.refused", false), ("secrets", "secretstores.plain", false))
        let error = await #expect(throws: ConfigurationError.self) {
            try await ComponentFactory.build(specs, appID: "app", logger: logger, descriptors: fixture.descriptors)
        }
        #expect(error?.document == 2)
        #expect(error?.field == "spec.metadata.broker")
        #expect(error?.resource == "Component 'first-refused' (pubsub.refused)")
        #expect(await fixture.closed.names.sorted() == ["a", "c", "secrets"])
    }

    @Test("a failed init with ignoreErrors is skipped and the others load")
    func ignoredFailure() async throws {
        let fixture = Fixture(expectedInits: 2)
        let specs = fixture.specs(("refused", "pubsub.refused", true), ("a", "pubsub.gated", false))
        let loaded = try await ComponentFactory.build(specs, appID: "app", logger: logger, descriptors: fixture.descriptors)
        #expect(loaded.entries.map(\.spec.name) == ["a"])
    }
}
