/// What a span is in the OpenTelemetry model: who started it and on which side of a message.
public enum TraceSpanKind: Sendable {
    /// A publish to a broker, an output-binding invocation.
    case producer
    /// A delivery attempt to the app (pub/sub or input binding).
    case consumer
    /// An outgoing call to another service (an output binding that calls one).
    case client
}

/// A backend that records and exports spans (OpenTelemetry over OTLP in the sidecar). Without
/// one, ``SidecarTracer`` still starts and continues W3C trace contexts, so apps and brokers see
/// the same `traceparent` whether or not spans are exported.
public protocol SpanRecorder: Sendable {
    /// Starts a span, the child of `parent` when there is one (else a new trace). Answers the
    /// span's own context, nil when the backend decided not to record it.
    func start(_ name: String, kind: TraceSpanKind, parent: TraceParent?, traceState: String, attributes: [(String, String)]) -> (any RecordedSpan)?
}

/// A span a ``SpanRecorder`` is recording.
public protocol RecordedSpan: Sendable {
    /// The span's context: what goes on the wire to the next hop.
    var context: TraceParent { get }
    /// Ends the span, marked failed with `error` when there is one.
    func end(error: String?)
}

/// Starts spans for publishes, deliveries and binding calls, and hands each its W3C context.
///
/// Without a recorder only contexts are made (ids from the system generator; nothing is kept):
/// the cost of propagation is a parse and two random numbers per span.
public struct SidecarTracer: Sendable {
    /// Propagation only: contexts are continued or started, no span is recorded.
    public static let propagationOnly = SidecarTracer(recorder: nil)

    let recorder: (any SpanRecorder)?

    public init(recorder: (any SpanRecorder)?) {
        self.recorder = recorder
    }

    /// Whether spans are recorded and exported.
    public var isRecording: Bool { recorder != nil }

    /// Starts a span whose parent is the `traceparent` text (empty or invalid: a new trace).
    /// The name and attributes are built only when a recorder keeps them.
    public func start(
        _ name: @autoclosure () -> String, kind: TraceSpanKind, parent: String?, traceState: String?,
        attributes: @autoclosure () -> [(String, String)] = []
    ) -> TraceSpan {
        let parentContext = parent.flatMap { $0.isEmpty ? nil : TraceParent($0) }
        let state = traceState ?? ""
        if let recorder, let span = recorder.start(name(), kind: kind, parent: parentContext, traceState: state, attributes: attributes()) {
            return TraceSpan(context: span.context, traceState: state, recorded: span)
        }
        let context = parentContext?.child() ?? TraceParent.root(sampled: false)
        return TraceSpan(context: context, traceState: state, recorded: nil)
    }
}

/// One span in flight: its context for the next hop, ended once the work is done.
public struct TraceSpan: Sendable {
    /// The span's W3C context.
    public let context: TraceParent
    /// The `tracestate` carried along unchanged.
    public let traceState: String
    let recorded: (any RecordedSpan)?

    /// The `traceparent` header value naming this span.
    public var traceParent: String { context.description }

    /// Ends the span; `error` marks it failed.
    public func end(error: String? = nil) {
        recorded?.end(error: error)
    }
}
