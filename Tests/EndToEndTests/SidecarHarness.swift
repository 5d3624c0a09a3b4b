import Foundation
import OutriggerCore
import OutriggerTesting
import Synchronization
import Testing

/// Where the `outrigger` binary under test is.
enum OutriggerBinary {
    /// `<package root>`, three levels above this file (Tests/EndToEndTests/SidecarHarness.swift).
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `$OUTRIGGER_BIN`, else `<package root>/.build/debug/outrigger`.
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["OUTRIGGER_BIN"], !path.isEmpty { return path }
        return packageRoot + "/.build/debug/outrigger"
    }

    /// The path, or a clear failure when the binary is missing.
    static func require() throws -> String {
        let path = path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError("""
                the outrigger binary is missing at \(path): run `swift build` in \(packageRoot) first \
                (or set OUTRIGGER_BIN to the binary to test)
                """)
        }
        return path
    }
}

/// Cancels the calling test when nothing answers on 127.0.0.1:`port` (printing SKIPPED and
/// why); with `CI=true` it records a failure first, since in CI every test must run.
func requireBroker(_ name: String, port: Int, for test: String) throws {
    guard !TCPPortCheck.accepts(host: "127.0.0.1", port: port) else { return }
    let reason = "\(test): nothing answers on 127.0.0.1:\(port) (start it with `conformance/brokers.sh up \(name)`)"
    print("SKIPPED \(reason)")
    if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("\(reason); in CI every test must run") }
    try Test.cancel(Comment(rawValue: reason))
}

/// TCP ports for sidecars: a per-process counter below the kernel's ephemeral range (32768+), so a
/// port handed out cannot be taken meanwhile by an outgoing connection. Each test process starts
/// in its own 400-port slot (chosen by pid) so concurrent runs rarely meet, and each candidate is
/// checked free by binding it. Test apps use port 0 instead (the kernel picks, no race at all).
enum Ports {
    private static let allocator = LoopbackPortAllocator(range: 20_000..<32_000)

    static func allocate() -> Int { allocator.allocate() }
}

/// Everything a child process writes to one of its pipes, read on a dedicated thread.
final class OutputCapture: Sendable {
    let pipe = ProcessLaunch.pipe()
    /// True once every writer closed the pipe.
    let ended = Observed(false)
    private let bytes = Mutex<[UInt8]>([])

    func startReading() {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                self.bytes.withLock { $0.append(contentsOf: chunk) }
            }
            self.ended.set(true)
        }
    }

    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}

/// A temporary folder of resource YAML, removed by ``remove()``.
struct ResourceFolder: Sendable {
    let path: String

    init(_ files: [String: String] = [:]) throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("outrigger-e2e-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, contents) in files { try write(name, contents) }
    }

    /// Writes `contents` to `name` in the folder; returns the file's path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The `outrigger` binary running as a child process.
final class SidecarProcess: @unchecked Sendable {
    let arguments: [String]
    /// The `--dapr-http-port`, when the test gave one.
    let httpPort: Int
    let stdout = OutputCapture()
    let stderr = OutputCapture()
    /// The exit status once the process ended: its code, or 128 + the signal that ended it.
    let exitStatus = Observed<Int32?>(nil)
    private let process = Process()

    var pid: Int32 { process.processIdentifier }
    var baseURL: String { "http://127.0.0.1:\(httpPort)" }
    var isRunning: Bool { exitStatus.value == nil }

    private init(arguments: [String], httpPort: Int) {
        self.arguments = arguments
        self.httpPort = httpPort
    }

    /// Starts `outrigger` with `arguments` (`httpPort` is only recorded, for the API helpers).
    static func launch(_ arguments: [String], httpPort: Int = 0, environment: [String: String] = [:]) throws -> SidecarProcess {
        // Every sidecar also serves the gRPC API: sidecars running side by side need their own port.
        var arguments = arguments
        if arguments.first == "run", !arguments.contains("--dapr-grpc-port"), !arguments.contains("-G") {
            arguments.insert(contentsOf: ["--dapr-grpc-port", String(Ports.allocate())], at: 1)
        }
        if arguments.first == "run", !arguments.contains("--metrics-port"), !arguments.contains("-M") {
            arguments.insert(contentsOf: ["--metrics-port", String(Ports.allocate())], at: 1)
        }
        let sidecar = SidecarProcess(arguments: arguments, httpPort: httpPort)
        let process = sidecar.process
        process.executableURL = URL(fileURLWithPath: try OutriggerBinary.require())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = sidecar.stdout.pipe
        process.standardError = sidecar.stderr.pipe
        process.standardInput = FileHandle.nullDevice
        let status = sidecar.exitStatus
        process.terminationHandler = { process in
            let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
            status.set(code)
        }
        try ProcessLaunch.run(process)
        sidecar.stdout.startReading()
        sidecar.stderr.startReading()
        return sidecar
    }

    /// Runs `outrigger` with `arguments` to the end (for `--help` and start-up failures).
    static func runToExit(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        let sidecar = try launch(arguments, environment: environment)
        do {
            let status = try await sidecar.waitForExit(timeout: timeout)
            // The exit can be seen before the reader threads took the last bytes from the pipes.
            for capture in [sidecar.stdout, sidecar.stderr] {
                _ = try? await capture.ended.wait(for: .seconds(5), "the output pipe to close") { $0 }
            }
            return (status, sidecar.stdout.text, sidecar.stderr.text)
        } catch {
            await sidecar.stop()
            throw HarnessError("outrigger \(arguments.joined(separator: " ")) did not exit: \(error)\n\(sidecar.logTail)")
        }
    }

    func signal(_ signal: Int32) {
        if isRunning { kill(process.processIdentifier, signal) }
    }

    /// Sends SIGTERM.
    func terminate() { signal(SIGTERM) }

    /// Waits for the process to end; returns its exit status.
    @discardableResult
    func waitForExit(timeout: Duration) async throws -> Int32 {
        let status = try await exitStatus.wait(for: timeout, "outrigger (pid \(pid)) to exit") { $0 != nil }
        return status!
    }

    /// Where each thread of the process stood when it had not exited in time (gdb), for the
    /// failure message; empty until then.
    let hangBacktrace = Observed("")

    /// SIGTERM, then SIGKILL when it has not exited 10 s later; returns whether it stopped in time.
    @discardableResult
    func stop() async -> Bool {
        guard isRunning else { return true }
        terminate()
        if (try? await waitForExit(timeout: .seconds(10))) != nil { return true }
        // Exited but not reaped yet: the termination handler that reaps it runs late on a
        // saturated box (seen in CI: "outrigger stopped" logged, gdb found no threads).
        if Self.processState(pid) == "Z", (try? await waitForExit(timeout: .seconds(30))) != nil { return true }
        hangBacktrace.set("process state: \(Self.processState(pid) ?? "gone")\n" + Self.backtrace(of: pid))
        signal(SIGKILL)
        _ = try? await waitForExit(timeout: .seconds(5))
        return false
    }

    /// The state letter of `pid` in /proc (`Z`: exited, waiting to be reaped); nil when gone.
    static func processState(_ pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first.map(String.init)
    }

    /// Every thread's stack of `pid`, from gdb when it is installed (empty otherwise). gdb
    /// writes to a file, not a pipe: a pipe read to its end can wait forever for a write end
    /// that another test's child inherited.
    static func backtrace(of pid: Int32) -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gdb") else { return "" }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-gdb-\(pid)-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard FileManager.default.createFile(atPath: file, contents: nil), let output = FileHandle(forWritingAtPath: file) else { return "" }
        let gdb = Process()
        gdb.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        gdb.arguments = ["30", "/usr/bin/gdb", "-p", String(pid), "-batch", "-ex", "thread apply all bt 12"]
        gdb.standardOutput = output
        gdb.standardError = FileHandle.nullDevice
        guard (try? ProcessLaunch.run(gdb)) != nil else { return "" }
        gdb.waitUntilExit()
        try? output.close()
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.hasPrefix("#") || $0.hasPrefix("Thread") }.joined(separator: "\n")
    }

    /// Polls `GET /v1.0/healthz` until it answers 204; fails at once when the process exits.
    func waitUntilHealthy(path: String = "/v1.0/healthz", timeout: Duration = .seconds(60)) async throws {
        let url = baseURL + path
        try await poll(for: timeout, "\(path) to answer 204") { [self] () -> Bool? in
            if let status = exitStatus.value {
                throw HarnessError("outrigger exited with status \(status) before \(path) answered 204")
            }
            let response = try? await HTTP.request("GET", url, timeout: .seconds(2))
            return response?.status == 204 ? true : nil
        }
    }

    /// The standard error output so far (the sidecar logs there).
    var logs: String { stderr.text }

    /// The last lines of the log, for failure messages.
    var logTail: String {
        let lines = logs.split(separator: "\n", omittingEmptySubsequences: false)
        return "--- outrigger \(arguments.joined(separator: " ")) — stderr (last 60 lines) ---\n"
            + lines.suffix(60).joined(separator: "\n")
    }

    /// ``logTail`` as a Swift Testing comment: `#expect(x == y, sidecar.comment)`.
    var comment: Comment { Comment(rawValue: logTail) }
}

/// How ``withSidecar(_:subscriptions:script:_:)`` starts the sidecar.
struct SidecarOptions: Sendable {
    var appID: String
    /// File name → YAML in the resources folder.
    var resources: [String: String]
    var drainTimeout: String
    var extraArguments: [String]
    /// Pass `--app-port` (the test app's port).
    var connectApp: Bool
    /// Added to the sidecar's environment.
    var environment: [String: String]

    init(
        appID: String = "orders", resources: [String: String] = ["pubsub.yaml": YAML.pubsub()], drainTimeout: String = "1s",
        extraArguments: [String] = [], connectApp: Bool = true, environment: [String: String] = [:]
    ) {
        self.environment = environment
        self.appID = appID
        self.resources = resources
        self.drainTimeout = drainTimeout
        self.extraArguments = extraArguments
        self.connectApp = connectApp
    }
}

/// Starts a test app and a sidecar delivering to it, waits for `/v1.0/healthz`, runs `body`, and
/// always cleans up: SIGTERM to the sidecar (SIGKILL if it hangs), app stopped, folder removed.
/// An error thrown by `body` is recorded with the sidecar's log.
func withSidecar(
    _ options: SidecarOptions = SidecarOptions(),
    subscriptions: String? = nil,
    script: @escaping TestApp.Script = { _ in .success },
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (SidecarProcess, TestApp) async throws -> Void
) async throws {
    let folder = try ResourceFolder(options.resources)
    defer { folder.remove() }
    let app = try await TestApp.start(subscriptions: subscriptions, script: script)
    var sidecar: SidecarProcess?
    do {
        // Another process may take the chosen port between the check and the sidecar's bind:
        // then the sidecar exits at once, and is started again on another port.
        for attempt in 1...3 {
            let httpPort = Ports.allocate()
            var arguments = [
                "run", "--app-id", options.appID, "--dapr-http-port", String(httpPort),
                "--dapr-grpc-port", String(Ports.allocate()), "--metrics-port", String(Ports.allocate()),
                "--resources-path", folder.path, "--drain-timeout", options.drainTimeout,
            ]
            if options.connectApp { arguments += ["--app-port", String(app.port)] }
            arguments += options.extraArguments
            let launched = try SidecarProcess.launch(arguments, httpPort: httpPort, environment: options.environment)
            sidecar = launched
            do {
                try await launched.waitUntilHealthy()
                break
            } catch {
                guard attempt < 3, !launched.isRunning else { throw error }
                _ = try? await launched.stderr.ended.wait(for: .seconds(2), "the sidecar's stderr to close") { $0 }
                guard launched.logs.contains("ddress already in use") else { throw error }
            }
        }
    } catch {
        if let sidecar { Issue.record(error, Comment(rawValue: sidecar.logTail), sourceLocation: sourceLocation) }
        await sidecar?.stop()
        await app.stop()
        if sidecar == nil { throw error }
        return
    }
    guard let sidecar else { return }
    do {
        try await body(sidecar, app)
    } catch {
        Issue.record(error, Comment(rawValue: sidecar.logTail), sourceLocation: sourceLocation)
    }
    if !(await sidecar.stop()) {
        Issue.record(
            "outrigger did not exit within 10 s of SIGTERM and was killed\n\(sidecar.logTail)\n--- threads ---\n\(sidecar.hangBacktrace.value)",
            sourceLocation: sourceLocation)
    }
    await app.stop()
}
