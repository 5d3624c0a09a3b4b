import Logging
import OutriggerCore
import ServiceLifecycle

/// Keeps the loaded components open until shutdown, then closes them. Registered first, so it
/// stops last: deliveries have drained and the API has stopped before brokers close.
struct ComponentsService: Service {
    let components: LoadedComponents
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        for entry in components.entries.reversed() {
            do {
                try await entry.component.close()
                logger.debug("component closed", metadata: ["name": "\(entry.spec.name)"])
            } catch {
                logger.warning("component close failed", metadata: ["name": "\(entry.spec.name)", "error": "\(error)"])
            }
        }
    }
}
