import Foundation
import OutriggerChaos
import Testing

/// The short version of `make chaos`: one scenario through the chaos library against the debug
/// binary, on a private redis-server.
@Suite("Chaos smoke run", .timeLimit(.minutes(3)))
struct ChaosSmokeTests {
    /// `<package root>`, three levels above this file.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("pubsub.redis, 2,000 events through a kill -9 of one of two sidecars and a broker restart: every accepted publish is delivered")
    func redisThroughKillAndBrokerRestart() async throws {
        let environment = ProcessInfo.processInfo.environment
        let binary = environment["OUTRIGGER_BIN"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.packageRoot + "/.build/debug/outrigger"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "the outrigger binary is missing at \(binary): run `swift build` first")
        var settings = ScenarioSettings(
            broker: .redis, seed: 1, events: 2_000, binary: binary, repositoryRoot: Self.packageRoot,
            workDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-chaos-smoke").path)
        settings.plan = FaultPlan([(0.2, .killSidecar(0)), (0.5, .restartBroker)])
        settings.publishSpan = .seconds(15)
        settings.quietLimit = .seconds(30)
        settings.log = { _ in }

        let result = await ChaosScenario(settings).run()

        switch result.status {
        case .notRun(let reason):
            if environment["CI"] == "true" { Issue.record(Comment(rawValue: reason)) }
            try Test.cancel(Comment(rawValue: reason))
        case .aborted(let reason):
            Issue.record(Comment(rawValue: "the scenario could not finish: \(reason)"))
        case .ran:
            break
        }
        #expect(result.accepted == settings.events, "accepted \(result.accepted) of \(settings.events)")
        #expect(result.lost.isEmpty, "\(result.lost.count) lost, first: \(result.lost.prefix(20).map(String.init).joined(separator: ", "))")
    }
}
