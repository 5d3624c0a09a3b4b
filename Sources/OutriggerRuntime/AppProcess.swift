import Foundation
import Logging
import OutriggerCore
import ServiceLifecycle
import Synchronization

/// The app launched by `outrigger run -- CMD ...`, with Dapr's environment variables.
///
/// The app shares the sidecar's process group, so Ctrl-C in a terminal reaches both at once, as
/// with `dapr run`. When the sidecar shuts down for any other reason it sends the app SIGTERM
/// (after deliveries drained), then SIGKILL if the app is still running 10 s later. When the app
/// exits by itself the sidecar shuts down too, and exits with the app's status.
final class AppProcess: Service, Sendable {
    let command: [String]
    let environment: [String: String]
    let logger: Logger
    /// How long an app ended by SIGINT, SIGTERM or SIGHUP waits for the sidecar's own shutdown
    /// to reach it (see ``run()``).
    let orderlyExitWait: Duration
    private let exitStatus = Mutex<Int32?>(nil)
    private let stoppedBySidecar = Mutex(false)

    init(command: [String], environment: [String: String], orderlyExitWait: Duration = .seconds(20), logger: Logger) {
        self.command = command
        self.environment = environment
        self.orderlyExitWait = orderlyExitWait
        self.logger = logger
    }

    /// The app's exit status when the app ended the run by itself; `nil` when the sidecar
    /// stopped it (a clean shutdown is not the app's failure) or it is still running.
    var status: Int32? {
        exitStatus.withLock { $0 }.flatMap { stoppedBySidecar.withLock { $0 } ? nil : $0 }
    }

    func run() async throws {
        let child: ChildProcess
        do {
            child = try ChildProcess.launch(command, environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new })
        } catch {
            logger.error("\(error)")
            exitStatus.withLock { $0 = 127 }
            throw error
        }
        logger.info("app launched", metadata: ["command": "\(command.joined(separator: " "))", "pid": "\(child.pid)"])
        let status = await withGracefulShutdownHandler {
            await child.waitForExit()
        } onGracefulShutdown: { [logger] in
            guard child.isRunning else { return }
            self.stoppedBySidecar.withLock { $0 = true }
            logger.info("stopping the app (SIGTERM)", metadata: ["pid": "\(child.pid)"])
            child.signal(SIGTERM)
            Task {
                try? await Task.sleep(for: .seconds(10))
                if child.isRunning {
                    logger.warning("the app did not exit 10 s after SIGTERM; sending SIGKILL", metadata: ["pid": "\(child.pid)"])
                    child.signal(SIGKILL)
                }
            }
        }
        exitStatus.withLock { $0 = status }
        logger.info("app exited", metadata: ["status": "\(status)"])
        if !stoppedBySidecar.withLock({ $0 }), Self.stopSignalStatuses.contains(status) {
            await waitForOrderlyShutdown()
        }
    }

    /// Exit statuses of an app ended by SIGINT, SIGTERM or SIGHUP (128 + the signal).
    static let stopSignalStatuses: Set<Int32> = [128 + SIGINT, 128 + SIGTERM, 128 + SIGHUP]

    /// Ctrl-C in a terminal (or a signal to the process group) reaches the app and the sidecar
    /// at once. Returning now would end this service before the sidecar's shutdown reached it:
    /// the service group would cancel every other service mid-drain. So wait for that shutdown
    /// to come to this service — deliveries drain first, in order — and count the run as
    /// stopped by the sidecar; if it does not come within `orderlyExitWait` (only the app was
    /// signalled), return and let the app's exit end the run.
    private func waitForOrderlyShutdown() async {
        do {
            try await withTimeLimit(orderlyExitWait) { try await gracefulShutdown() }
            stoppedBySidecar.withLock { $0 = true }
        } catch {
            logger.info("the app was stopped by a signal the sidecar did not get; shutting down")
        }
    }
}
