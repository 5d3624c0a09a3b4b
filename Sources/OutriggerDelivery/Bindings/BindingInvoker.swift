import CloudEvents
import OutriggerCore
import Synchronization

/// The one path to output bindings, shared by `POST /v1.0/bindings/{name}` and gRPC
/// `InvokeBinding`: finds the binding, checks the operation against the ones it lists, and
/// invokes it under its `outbound` Resiliency policy.
public struct BindingInvoker: Sendable {
    public let components: LoadedComponents
    let policies: ResiliencyTable
    let clock: AnyClock
    /// Starts the span of each invocation; its context reaches the binding as the request
    /// metadata `traceparent`/`tracestate` (the HTTP binding sends them as headers).
    public var tracer: SidecarTracer = .propagationOnly
    /// The policy (and its circuit breakers) built from ``policies`` at one version of it.
    private let outboundPolicy: BuiltPolicy

    public init(components: LoadedComponents, resiliencies: [ResiliencySpec] = [], clock: AnyClock = .continuous) {
        self.init(components: components, policies: ResiliencyTable(resiliencies), clock: clock)
    }

    public init(components: LoadedComponents, policies: ResiliencyTable, clock: AnyClock = .continuous) {
        self.components = components
        self.policies = policies
        self.clock = clock
        let current = policies.current
        outboundPolicy = BuiltPolicy((current.version, OutboundPolicy(resiliencies: current.specs, clock: clock)))
    }

    /// The outbound policy for the Resiliency documents in force; rebuilt after a reload changed them.
    var outbound: OutboundPolicy {
        let current = policies.current
        return outboundPolicy.held.withLock { held in
            if held.version != current.version { held = (current.version, OutboundPolicy(resiliencies: current.specs, clock: clock)) }
            return held.policy
        }
    }

    /// Shared by the copies of one invoker, so they share circuit breakers.
    private final class BuiltPolicy: Sendable {
        let held: Mutex<(version: Int, policy: OutboundPolicy)>

        init(_ initial: (version: Int, policy: OutboundPolicy)) { held = Mutex(initial) }
    }

    /// Invokes `name` with `request`; the error says how the API answers. `traceParent` is the
    /// caller's context (the `traceparent` header), else the request metadata's.
    public func invoke(_ name: String, _ request: BindingRequest, traceParent: String = "", traceState: String = "") async throws(BindingInvocationError) -> BindingResponse {
        guard let binding = components.outputBinding(named: name) else {
            throw .notFound(name)
        }
        guard !request.operation.isEmpty else { throw .missingOperation(name, supported: binding.operations) }
        guard binding.operations.contains(request.operation) else {
            throw .unsupportedOperation(name, request.operation, supported: binding.operations)
        }
        let span = tracer.start(
            "bindings/\(name)", kind: .producer,
            parent: traceParent.isEmpty ? request.metadata["traceparent"] : traceParent,
            traceState: traceState.isEmpty ? request.metadata["tracestate"] : traceState,
            attributes: [("dapr.binding", name), ("dapr.binding.operation", request.operation)])
        var request = request
        request.metadata["traceparent"] = span.traceParent
        if !span.traceState.isEmpty { request.metadata["tracestate"] = span.traceState }
        let sent = request
        do {
            let response = try await outbound.run(name) { try await binding.invoke(sent) }
            span.end()
            return response
        } catch let error as InvalidBindingRequest {
            span.end(error: error.message)
            throw .invalidRequest(name, error.message)
        } catch {
            span.end(error: "\(error)")
            throw .failed(name, "\(error)")
        }
    }

    /// Reads the body of `POST /v1.0/bindings/{name}`: `{"operation", "data", "metadata"}`.
    ///
    /// As daprd passes it on: a JSON string in `data` reaches the binding as the string's text
    /// (unquoted), any other JSON value as its JSON text; a missing or `null` `data` is empty.
    /// `metadata` must map names to strings.
    public static func request(fromJSON body: [UInt8]) throws(BindingInvocationError) -> BindingRequest {
        let members: [(key: String, value: Range<Int>)]
        do {
            members = try JSONText.objectMembers(body)
        } catch {
            throw .malformed("the body must be a JSON object with 'operation', 'data' and 'metadata': \(error)")
        }
        var request = BindingRequest(operation: "", data: [])
        for (key, range) in members {
            let text = Array(body[range])
            let value: JSONValue
            do {
                value = try JSONValue(parsing: text)
            } catch {
                throw .malformed("'\(key)': \(error)")
            }
            switch key {
            case "operation":
                guard case .string(let operation) = value else { throw .malformed("'operation' must be a string") }
                request.operation = operation
            case "data":
                switch value {
                case .string(let string): request.data = Array(string.utf8)
                case .null: request.data = []
                default: request.data = text
                }
            case "metadata":
                if case .null = value { continue }
                guard case .object(let object) = value else { throw .malformed("'metadata' must be an object of strings") }
                for (name, item) in object {
                    guard case .string(let string) = item else { throw .malformed("metadata '\(name)' must be a string") }
                    request.metadata[name] = string
                }
            default:
                continue
            }
        }
        return request
    }
}

/// Why an output-binding invocation was refused or failed, with the Dapr error it answers.
public enum BindingInvocationError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case malformed(String)
    case missingOperation(String, supported: [String])
    case unsupportedOperation(String, String, supported: [String])
    /// The binding refused the request (``InvalidBindingRequest``).
    case invalidRequest(String, String)
    /// The binding's own failure.
    case failed(String, String)

    /// The HTTP status: 400 for what the app can fix in its request, 500 otherwise (Dapr
    /// answers 500 for an unknown binding).
    public var httpStatus: Int {
        switch self {
        case .malformed, .missingOperation, .unsupportedOperation, .invalidRequest: 400
        case .notFound, .failed: 500
        }
    }

    /// Dapr's `errorCode`.
    public var code: String {
        switch self {
        case .malformed: "ERR_MALFORMED_REQUEST"
        default: "ERR_INVOKE_OUTPUT_BINDING"
        }
    }

    /// Whether the app's request is at fault (gRPC INVALID_ARGUMENT rather than INTERNAL).
    public var isRequestError: Bool { httpStatus == 400 }

    public var description: String {
        switch self {
        case .notFound(let name):
            "error invoking output binding \(name): couldn't find output binding \(name)"
        case .malformed(let reason):
            "failed deserializing HTTP body: \(reason)"
        case .missingOperation(let name, let supported):
            "error invoking output binding \(name): operation field is missing from request; supported operations: \(supported.joined(separator: " "))"
        case .unsupportedOperation(let name, let operation, let supported):
            "error invoking output binding \(name): binding \(name) does not support operation \(operation). supported operations: \(supported.joined(separator: " "))"
        case .invalidRequest(let name, let reason), .failed(let name, let reason):
            "error invoking output binding \(name): \(reason)"
        }
    }
}
