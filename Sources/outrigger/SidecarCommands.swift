import ArgumentParser
import Foundation
import OutriggerCore
import OutriggerRuntime
/// `outrigger list`: the sidecars running on this machine.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the sidecars running on this machine.",
        discussion: "Each running sidecar records itself in the runtime directory ($OUTRIGGER_RUNTIME_DIR, else $XDG_RUNTIME_DIR/outrigger, else ~/.outrigger/run).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Option(name: [.customShort("o"), .long], help: "table or json.")
    var output: Format = .table

    func run() throws {
        let running = RunningSidecars().list()
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(running), as: UTF8.self))
        case .table:
            guard !running.isEmpty else {
                print("No sidecars are running.")
                return
            }
            let now = Date().timeIntervalSince1970
            var rows = [["APP ID", "HTTP PORT", "GRPC PORT", "APP PORT", "PID", "AGE", "COMMAND"]]
            for record in running {
                rows.append([
                    record.appID, String(record.httpPort), String(record.grpcPort), record.appPort.map(String.init) ?? "-",
                    String(record.pid), Self.age(now - record.started), record.command.joined(separator: " "),
                ])
            }
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(zip(row, widths).map { $0.padding(toLength: $1 + 2, withPad: " ", startingAt: 0) }.joined()
                    .trimmingCharacters(in: .whitespaces))
            }
        }
    }

    /// `42s`, `5m`, `3h`, `2d`, as `dapr list` shows ages.
    static func age(_ seconds: Double) -> String {
        let whole = max(0, Int(seconds))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" }
        if whole < 86_400 { return "\(whole / 3600)h" }
        return "\(whole / 86_400)d"
    }
}

/// `outrigger stop`: a graceful stop (SIGTERM: drain, stop the app, exit) of running sidecars.
struct Stop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop running sidecars (and the apps they launched), draining what is in flight.",
        discussion: "Sends SIGTERM to each sidecar running with one of the app ids and waits until it has exited.")

    @Option(name: [.customShort("a"), .customLong("app-id")], help: "The app id to stop; repeatable.")
    var appIDs: [String] = []

    @Option(name: [.customShort("f"), .customLong("run-file")], help: "Stop every app of this Multi-App Run template (dapr.yaml, or its folder).")
    var runFile: String?

    @Option(name: .long, help: "How long to wait for each sidecar to exit, in seconds or Go syntax.")
    var timeout: String = "60s"

    func validate() throws {
        if appIDs.isEmpty, runFile == nil { throw ValidationError("name the sidecar to stop with --app-id (or a template with --run-file)") }
        guard (try? Run.duration(timeout)) != nil else { throw ValidationError("--timeout: '\(timeout)' is not a duration like 30s") }
    }

    func run() async throws {
        let limit = try Run.duration(timeout)
        let running = RunningSidecars()
        var failed = false
        var appIDs = appIDs
        if let runFile { appIDs += try RunTemplate.load(path: runFile).apps.map(\.appID) }
        for appID in appIDs {
            let records = running.find(appID: appID)
            if records.isEmpty {
                printError("no sidecar with app id '\(appID)' is running")
                failed = true
            }
            for record in records {
                kill(record.pid, SIGTERM)
                let deadline = ContinuousClock.now + limit
                while RunningSidecars.isRunning(record), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                if RunningSidecars.isRunning(record) {
                    printError("app id '\(appID)' (pid \(record.pid)) has not exited after \(timeout)")
                    failed = true
                } else {
                    print("app id '\(appID)' stopped")
                }
            }
        }
        if failed { throw ExitCode.failure }
    }
}

/// `outrigger completion bash|zsh|fish`: the shell completion script, as `dapr completion` prints it.
struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            bash:  source <(outrigger completion bash)     (or save it in /etc/bash_completion.d/outrigger)
            zsh:   outrigger completion zsh > "${fpath[1]}/_outrigger"
            fish:  outrigger completion fish > ~/.config/fish/completions/outrigger.fish
            """)

    @Argument(help: "bash, zsh or fish.")
    var shell: String

    func validate() throws {
        guard CompletionShell(rawValue: shell) != nil else { throw ValidationError("the shell must be bash, zsh or fish, got '\(shell)'") }
    }

    func run() {
        print(OutriggerCommand.completionScript(for: CompletionShell(rawValue: shell) ?? .bash))
    }
}
