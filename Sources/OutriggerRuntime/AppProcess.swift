import Foundation
import Logging
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
    private let exitStatus = Mutex<Int32?>(nil)
    private let stoppedBySidecar = Mutex(false)

    init(command: [String], environment: [String: String], logger: Logger) {
        self.command = command
        self.environment = environment
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
    }
}
