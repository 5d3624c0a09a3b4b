import Foundation
import Logging
import OutriggerCore
import Synchronization

/// `outrigger run -f dapr.yaml`: every app of a Multi-App Run template with a sidecar of its own.
///
/// Each sidecar is its own `outrigger run` process, as each app has its own daprd under the Dapr
/// CLI: a component that blocks or fails in one app's sidecar cannot stall or end another's, every
/// sidecar reads its own resources and logs to its own file, and `outrigger list` / `stop` see
/// each one like any other sidecar. Sidecars and apps run in process groups of their own, so
/// Ctrl-C reaches only this process, which stops them in order: every sidecar drains first (its
/// app still up to take the deliveries in flight), then the apps get SIGTERM (SIGKILL 10 s later).
///
/// An app's sidecar starts first and its app is launched once the sidecar's HTTP API listens
/// (its components are then loaded), so an app may publish at once. An app that exits by itself
/// takes its sidecar down (drained); the run ends when every app and sidecar has ended.
public struct MultiAppRun: Sendable {
    public let template: RunTemplate
    /// The `outrigger` binary the sidecars run.
    public let executable: String
    public let drainTimeout: Duration
    public let logger: Logger

    public init(template: RunTemplate, executable: String, drainTimeout: Duration, logger: Logger) {
        self.template = template
        self.executable = executable
        self.drainTimeout = drainTimeout
        self.logger = logger
    }

    /// One running app and its sidecar.
    struct Launched: Sendable {
        let app: RunTemplate.App
        let httpPort: Int
        let sidecar: ChildProcess
        let process: ChildProcess?
    }

    /// Runs every app until Ctrl-C / SIGTERM or until all have ended; returns the exit status.
    public func run() async throws -> Int32 {
        let stop = StopSignal()
        let console = Console()
        var launched: [Launched] = []
        for app in template.apps {
            do {
                launched.append(try await launch(app, console: console, stop: stop))
            } catch {
                logger.error("cannot start app id '\(app.appID)': \(error)")
                stop.fire()
                break
            }
        }
        let started = launched
        let failedToStart = started.count < template.apps.count
        return await withTaskGroup(of: Int32.self) { group in
            for app in started {
                group.addTask { await supervise(app, stop: stop) }
            }
            group.addTask {
                await stop.wait()
                // Sidecars first: each drains while its app still takes deliveries.
                for app in started { app.sidecar.signal(SIGTERM) }
                return 0
            }
            var worst: Int32 = failedToStart ? 1 : 0
            var finished = 0
            for await status in group {
                worst = max(worst, status)
                finished += 1
                if finished == started.count { stop.fire() }
            }
            return worst
        }
    }

    /// Waits for the app and its sidecar; whichever ends first takes the other down.
    private func supervise(_ launched: Launched, stop: StopSignal) async -> Int32 {
        let id = launched.app.appID
        guard let process = launched.process else {
            let status = await launched.sidecar.waitForExit()
            logger.info("sidecar of app id '\(id)' exited", metadata: ["status": "\(status)"])
            return status == 0 ? 0 : 1
        }
        async let sidecarStatus = launched.sidecar.waitForExit()
        let appTask = Task { await process.waitForExit() }
        // The app ends by itself, or the sidecar ends (after a stop, when it has drained).
        let appEnded = Mutex<Int32?>(nil)
        let sidecarEnded = Mutex(false)
        let watcher = Task {
            let status = await appTask.value
            appEnded.withLock { $0 = status }
            // A reaped sidecar's pid may belong to another process by now.
            sidecarEnded.withLock { ended in if !ended { launched.sidecar.signal(SIGTERM) } }
        }
        let sidecar = await sidecarStatus
        sidecarEnded.withLock { $0 = true }
        // The app's status counts only when the app ended by itself, not when it was stopped here.
        let endedByItself = appEnded.withLock { $0 }
        if endedByItself == nil {
            logger.info("stopping app id '\(id)' (SIGTERM)", metadata: ["pid": "\(process.pid)"])
            process.signal(SIGTERM)
            let killer = Task {
                try await Task.sleep(for: .seconds(10))
                if process.isRunning { process.signal(SIGKILL) }
            }
            _ = await appTask.value
            killer.cancel()
        }
        await watcher.value
        let app = appEnded.withLock { $0 } ?? 0
        logger.info("app id '\(id)' ended", metadata: ["app-status": "\(app)", "sidecar-status": "\(sidecar)"])
        return sidecar == 0 && (endedByItself ?? 0) == 0 ? 0 : 1
    }

    private func launch(_ app: RunTemplate.App, console: Console, stop: StopSignal) async throws -> Launched {
        let httpPort = try app.daprHTTPPort ?? FreePort.pick()
        let grpcPort = try app.daprGRPCPort ?? FreePort.pick()
        let metricsPort = try app.metricsPort ?? FreePort.pick()
        try FileManager.default.createDirectory(atPath: app.logDirectory, withIntermediateDirectories: true)
        let stamp = Self.timestamp()

        var arguments = [
            executable, "run", "--app-id", app.appID, "--dapr-http-port", String(httpPort), "--dapr-grpc-port", String(grpcPort),
            "--metrics-port", String(metricsPort), "--drain-timeout", GoDuration.format(drainTimeout),
        ]
        if let port = app.appPort { arguments += ["--app-port", String(port)] }
        if let appProtocol = app.appProtocol { arguments += ["--app-protocol", appProtocol] }
        for path in app.resourcesPaths { arguments += ["--resources-path", path] }
        if let config = app.configFilePath { arguments += ["--config", config] }
        if let level = app.logLevel { arguments += ["--log-level", level] }
        if let limit = app.appMaxConcurrency { arguments += ["--app-max-concurrency", String(limit)] }
        if let size = app.maxBodySize { arguments += ["--max-body-size", String(size)] }
        let environment = ProcessInfo.processInfo.environment.merging(app.env) { _, template in template }

        let sidecarLog = "\(app.logDirectory)/\(app.appID)_sidecar_\(stamp).log"
        let sidecarOutput = try OutputPump.start(
            label: "== SIDECAR - \(app.appID) ==", destination: app.daprdLogDestination, file: sidecarLog, console: console)
        let sidecar = try ChildProcess.launch(
            arguments, environment: environment, directory: app.appDirPath, output: sidecarOutput, ownProcessGroup: true)
        close(sidecarOutput)
        logger.info("started the sidecar of app id '\(app.appID)'", metadata: [
            "http-port": "\(httpPort)", "grpc-port": "\(grpcPort)", "pid": "\(sidecar.pid)", "log": "\(sidecarLog)",
        ])
        guard await FreePort.waitUntilListening(httpPort, while: { !sidecar.hasEnded && !stop.fired }) else {
            sidecar.signal(SIGTERM)
            _ = await sidecar.waitForExit()
            throw MultiAppRunError("its sidecar did not start listening on port \(httpPort); see \(sidecarLog)")
        }
        guard !app.command.isEmpty else { return Launched(app: app, httpPort: httpPort, sidecar: sidecar, process: nil) }

        var appEnvironment = environment
        appEnvironment["APP_ID"] = app.appID
        appEnvironment["DAPR_HTTP_PORT"] = String(httpPort)
        appEnvironment["DAPR_GRPC_PORT"] = String(grpcPort)
        appEnvironment["DAPR_METRICS_PORT"] = String(metricsPort)
        appEnvironment["APP_PROTOCOL"] = app.appProtocol ?? "http"
        if let port = app.appPort { appEnvironment["APP_PORT"] = String(port) }
        let appLog = "\(app.logDirectory)/\(app.appID)_app_\(stamp).log"
        let appOutput = try OutputPump.start(label: "== APP - \(app.appID) ==", destination: app.appLogDestination, file: appLog, console: console)
        defer { close(appOutput) }
        do {
            let process = try ChildProcess.launch(
                app.command, environment: appEnvironment, directory: app.appDirPath, output: appOutput, ownProcessGroup: true)
            logger.info("started app id '\(app.appID)'", metadata: ["command": "\(app.command.joined(separator: " "))", "pid": "\(process.pid)", "log": "\(appLog)"])
            return Launched(app: app, httpPort: httpPort, sidecar: sidecar, process: process)
        } catch {
            sidecar.signal(SIGTERM)
            _ = await sidecar.waitForExit()
            throw error
        }
    }

    /// `20261130104512`, as the Dapr CLI stamps its log files.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return String(format: "%04d%02d%02d%02d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}

/// A multi-app run that cannot go on.
public struct MultiAppRunError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

/// Fires once, on SIGINT or SIGTERM or when every app has ended.
final class StopSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    /// Kept alive for the life of the run; only touched in `init`.
    private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

    init() {
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            sources.append(source)
        }
        self.sources = sources
        for source in sources {
            source.setEventHandler { [weak self] in self?.fire() }
            source.resume()
        }
    }

    var fired: Bool { state.withLock { $0.fired } }

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.fired else { return [] }
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
