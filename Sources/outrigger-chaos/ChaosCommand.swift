import ArgumentParser
import Foundation
import OutriggerChaos

/// `outrigger-chaos`: publishes events through two sidecars per broker while breaking things on
/// purpose, and counts whether every accepted event was delivered.
@main
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outrigger-chaos",
        abstract: "Fault run of the at-least-once promise: kill -9 and restart sidecars, restart the broker, pause the app, and count.",
        discussion: """
            Each scenario (one broker, one seed) starts a private broker, two sidecars of one consumer group and an \
            in-process app, publishes the events with 50 clients, injects the faults, and checks that every publish a \
            sidecar accepted reached the app at least once. Exits 1 when an event was lost (naming it) or a scenario \
            could not finish. The table is printed and written to --results-dir.
            """)

    @Option(help: "Brokers, comma-separated: redis, kafka, rabbitmq, mqtt3, jetstream.")
    var brokers = "redis,kafka,rabbitmq,mqtt3,jetstream"

    @Option(help: "Seeds of the app's answers, comma-separated; one scenario per seed and broker.")
    var seeds = "1,2,3,4,5"

    @Option(help: "Events per scenario.")
    var events = 100_000

    @Option(help: "Concurrent publishing clients.")
    var clients = 50

    @Option(help: "The shortest the publishing may take, in seconds (the faults happen during it).")
    var publishSeconds = 120

    @Option(help: "Faults: full, none (a baseline), or some of kill0, broker, pause, kill1, term0, comma-separated.")
    var faults = "full"

    @Option(help: "The outrigger binary (default: $OUTRIGGER_BIN, else .build/release/outrigger).")
    var binary: String?

    @Option(help: "Where the result table is written.")
    var resultsDir = "bench/results"

    mutating func run() async throws {
        let brokerList = try brokers.split(separator: ",").map { name in
            guard let broker = ChaosBroker(name: String(name).trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown broker '\(name)'; known: \(ChaosBroker.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return broker
        }
        let seedList = try seeds.split(separator: ",").map { text in
            guard let seed = UInt64(text.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--seeds: '\(text)' is not a number") }
            return seed
        }
        guard events > 0 else { throw ValidationError("--events must be at least 1") }
        guard let plan = FaultPlan.selecting(faults.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) else {
            throw ValidationError("--faults: '\(faults)' is not full, none, or a list of kill0, broker, pause, kill1, term0")
        }
        let root = FileManager.default.currentDirectoryPath
        let binary = binary ?? ProcessInfo.processInfo.environment["OUTRIGGER_BIN"].flatMap { $0.isEmpty ? nil : $0 } ?? root + "/.build/release/outrigger"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("the outrigger binary is missing at \(binary): run `swift build -c release --product outrigger` (or set OUTRIGGER_BIN)")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-chaos-\(getpid())").path
        ChaosInterrupt.install()
        let started = Date()
        var results: [ScenarioResult] = []
        for broker in brokerList {
            for seed in seedList {
                var settings = ScenarioSettings(broker: broker, seed: seed, events: events, binary: binary, repositoryRoot: root, workDirectory: work)
                settings.clients = clients
                settings.publishSpan = .seconds(publishSeconds)
                settings.plan = plan
                let result = await ChaosScenario(settings).run()
                results.append(result)
                Console.line(ChaosReport(results: [result], command: "", started: started).summaryLine)
            }
        }
        let command = "outrigger-chaos " + CommandLine.arguments.dropFirst().joined(separator: " ")
        let report = ChaosReport(results: results, command: command.trimmingCharacters(in: .whitespaces), started: started)
        Console.line("\n" + report.markdown)
        try FileManager.default.createDirectory(atPath: resultsDir, withIntermediateDirectories: true)
        let file = resultsDir + "/chaos-\(ChaosReport.timestamp(started, format: "yyyyMMdd-HHmmss")).md"
        try report.markdown.write(toFile: file, atomically: true, encoding: .utf8)
        Console.line("written to \(file)")
        if report.failed {
            for line in report.lossSummary { Console.line("LOST: \(line)") }
            Console.line("FAILED: an accepted event was lost or a scenario could not finish")
            throw ExitCode(1)
        }
    }
}
