import Synchronization

/// The Resiliency documents in force, shared by the publish and binding paths so that a hot
/// reload changes the policies of the next call everywhere at once. ``version`` grows with each
/// change, so a holder of state built from the documents (circuit breakers) knows to rebuild it.
public final class ResiliencyTable: Sendable {
    private let state: Mutex<(version: Int, specs: [ResiliencySpec])>

    public init(_ specs: [ResiliencySpec] = []) {
        state = Mutex((0, specs))
    }

    public var specs: [ResiliencySpec] { state.withLock { $0.specs } }

    public var current: (version: Int, specs: [ResiliencySpec]) { state.withLock { $0 } }

    /// Puts `specs` in force; returns whether they differ from the ones before.
    @discardableResult
    public func replace(with specs: [ResiliencySpec]) -> Bool {
        state.withLock { state in
            guard state.specs != specs else { return false }
            state = (state.version + 1, specs)
            return true
        }
    }
}
