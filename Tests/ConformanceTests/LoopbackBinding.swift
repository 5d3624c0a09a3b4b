import ConformanceKit
import OutriggerCore
import Synchronization

/// A binding that is both sides at once: what `create` is invoked with comes out of `read`.
/// Each ``Fault`` breaks it the way one bindings step must catch.
final class LoopbackBinding: InputBinding, OutputBinding {
    /// What is broken, if anything.
    enum Fault: Sendable {
        case none
        /// Building it throws.
        case initFails
        /// Its operations list lacks `create` (though invoking it works).
        case omitsCreate
        /// Invoking `create` throws.
        case createFails
        /// The input side never delivers.
        case silentInput
        /// The input side delivers, but not the bytes invoked.
        case manglesData
    }

    let fault: Fault
    private let handlers = Mutex<[Int: BindingHandler]>([:])
    private let nextReader = Mutex(0)

    init(fault: Fault = .none) throws {
        if fault == .initFails { throw ConformanceError("connection refused") }
        self.fault = fault
    }

    var operations: [String] { fault == .omitsCreate ? ["get", "delete"] : ["create"] }

    func invoke(_ request: BindingRequest) async throws -> BindingResponse {
        guard request.operation == "create" else { throw ConformanceError("unsupported operation \(request.operation)") }
        if fault == .createFails { throw ConformanceError("create refused") }
        guard fault != .silentInput else { return BindingResponse() }
        let data = fault == .manglesData ? Array(request.data.reversed()) : request.data
        for handler in handlers.withLock({ Array($0.values) }) {
            try await handler(BindingEvent(data: data))
        }
        return BindingResponse()
    }

    func read(handler: @escaping BindingHandler) async throws -> Subscription {
        let reader = nextReader.withLock { $0 += 1; return $0 }
        handlers.withLock { $0[reader] = handler }
        return Subscription { self.handlers.withLock { $0[reader] = nil } }
    }

    func close() async throws {}
}
