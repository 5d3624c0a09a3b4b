import NATSClient
import OutriggerCore
import Synchronization

/// Tells the component's supervisor when a connection closes by itself (the server went away),
/// so it reconnects at once even while nothing is published or fetched, and health shows it.
///
/// Holds the supervisor weakly: the supervisor's connect closure holds this reporter.
final class ConnectionLossReporter: Sendable {
    private struct WeakSupervisor: Sendable {
        weak var supervisor: Supervisor<NATSConnection>?
    }

    private let target = Mutex(WeakSupervisor())

    func report(to supervisor: Supervisor<NATSConnection>) {
        target.withLock { $0.supervisor = supervisor }
    }

    /// Watches `connection`: once it closes, a loss of the lease it belongs to is reported
    /// (nothing when it has already been replaced or the component closed it).
    func watch(_ connection: NATSConnection) {
        connection.whenClosed { [self] in
            target.withLock { $0.supervisor }?.connectionLost(where: { $0 === connection }, error: NATSError.closed)
        }
    }
}
