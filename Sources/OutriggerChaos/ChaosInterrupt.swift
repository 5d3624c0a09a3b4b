import Dispatch
import Foundation

/// Ctrl-C (or SIGTERM) of the runner: kills the brokers and sidecars it started, then exits,
/// so an interrupted run leaves no private broker behind.
public enum ChaosInterrupt {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Installs the handlers; call once, before the first scenario.
    public static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                ChildProcess.killAll()
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}
