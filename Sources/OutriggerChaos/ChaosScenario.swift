import AsyncHTTPClient
import Foundation

/// One scenario: a private broker, two sidecars of one consumer group delivering to the
/// in-process ``ChaosApp``, the publishers, and the faults of the plan; then the count.
///
/// ```swift
/// let result = await ChaosScenario(settings).run()
/// if !result.lost.isEmpty { ... }
/// ```
public struct ChaosScenario: Sendable {
    /// How the scenario runs.
    public let settings: ScenarioSettings

    /// A scenario to run with `settings`.
    public init(_ settings: ScenarioSettings) {
        self.settings = settings
    }

    /// Runs the scenario to the end. A broker missing on this machine gives
    /// ``ScenarioResult/Status/notRun(_:)``; a runner failure ``ScenarioResult/Status/aborted(_:)``
    /// with what was counted until then.
    public func run() async -> ScenarioResult {
        let settings = settings
        var result = ScenarioResult(broker: settings.broker, seed: settings.seed, events: settings.events)
        let directory = settings.workDirectory + "/\(settings.broker.rawValue)-seed\(settings.seed)-\(UUID().uuidString.prefix(6))"
        let broker: BrokerServer
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            broker = try await BrokerServer(settings.broker, directory: directory, repositoryRoot: settings.repositoryRoot)
        } catch let missing as BrokerMissing {
            result.status = .notRun(missing.description)
            return result
        } catch {
            result.status = .aborted("\(error)")
            return result
        }
        let clock = RunClock()
        let ledger = DeliveryLedger(events: settings.events)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration(clients: settings.clients))
        var app: ChaosApp?
        var sidecars: [ChaosSidecar] = []
        var faults: [FaultRecord] = []
        settings.log("\(settings.broker.rawValue) seed \(settings.seed): \(settings.events) events, files in \(directory)")
        do {
            try await broker.start()
            let started = try await ChaosApp.start(
                listeners: 2, subscriptions: ChaosResources.subscriptions, plan: AnswerPlan(seed: settings.seed), ledger: ledger,
                clock: clock, tooSlow: ChaosResources.deliveryTimeout + .milliseconds(500))
            app = started
            for index in 0..<2 {
                sidecars.append(
                    try ChaosSidecar(
                        index: index, broker: settings.broker, brokerPort: broker.port, appPort: started.ports[index],
                        binary: settings.binary, directory: directory, http: http))
            }
            for sidecar in sidecars { try await sidecar.start() }
            settings.log("  \(Format.seconds(clock.now()))  broker and two sidecars up; publishing")
            faults = try await publishWithFaults(broker: broker, app: started, sidecars: sidecars, ledger: ledger, clock: clock, http: http)
            try await waitForDeliveries(ledger: ledger, clock: clock)
        } catch {
            result.status = .aborted("\(error)")
        }
        for sidecar in sidecars { await sidecar.terminate() }
        await broker.stop()
        await app?.stop()
        try? await http.shutdown()
        result.dropped = sidecars.map(\.droppedTotal).reduce(0, +)
        ScenarioAnalysis(snapshot: ledger.snapshot(), faults: faults).fill(&result)
        result.wallTime = clock.now()
        if case .ran = result.status, result.lost.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
        return result
    }

    private func publishWithFaults(
        broker: BrokerServer, app: ChaosApp, sidecars: [ChaosSidecar], ledger: DeliveryLedger, clock: RunClock, http: HTTPClient
    ) async throws -> [FaultRecord] {
        let publishers = Publishers(
            http: http, sidecars: sidecars, ledger: ledger, clock: clock, pace: settings.publishSpan / max(settings.events, 1))
        let driver = FaultDriver(
            plan: settings.plan, broker: broker, sidecars: sidecars, app: app, publishers: publishers, clock: clock, events: settings.events,
            log: settings.log)
        async let publishing: Void = publishers.run(clients: settings.clients)
        async let injecting = driver.run()
        await publishing
        let records = try await injecting
        settings.log("  \(Format.seconds(clock.now()))  published: \(ledger.acceptedCount) of \(settings.events) accepted; waiting for deliveries")
        return records
    }

    /// Waits until every accepted event was delivered or dead-lettered, or nothing was
    /// delivered for ``ScenarioSettings/quietLimit``.
    private func waitForDeliveries(ledger: DeliveryLedger, clock: RunClock) async throws {
        let quiet = RunClock.seconds(settings.quietLimit)
        let since = clock.now()
        while !ledger.everyAcceptedEventAccountedFor() {
            if clock.now() - max(ledger.lastDelivery, since) > quiet { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        settings.log("  \(Format.seconds(clock.now()))  every accepted event delivered or dead-lettered")
    }

    private static func clientConfiguration(clients: Int) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients + 8)
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(30))
        return configuration
    }
}
