import Logging
import OutriggerDelivery

/// `spec.tracing.stdout: true`: every sampled span is written as one log line when it ends
/// (name, trace id, span id, parent id, duration, error), sampled as daprd samples (a sampled
/// parent's child is recorded, an unsampled parent's is not, a new trace with probability
/// `rate`).
struct StdoutSpanRecorder: SpanRecorder {
    let rate: Double
    let logger: Logger

    func start(_ name: String, kind: TraceSpanKind, parent: TraceParent?, traceState: String, attributes: [(String, String)]) -> (any RecordedSpan)? {
        let context: TraceParent
        if let parent {
            context = parent.child()
        } else {
            context = TraceParent.root(sampled: Double.random(in: 0..<1) < rate)
        }
        return Recorded(name: name, kind: kind, context: context, parentSpan: parent?.spanIDText ?? "", attributes: attributes, started: .now, logger: logger)
    }

    private struct Recorded: RecordedSpan {
        let name: String
        let kind: TraceSpanKind
        let context: TraceParent
        let parentSpan: String
        let attributes: [(String, String)]
        let started: ContinuousClock.Instant
        let logger: Logger

        func end(error: String?) {
            guard context.isSampled else { return }
            var metadata: Logger.Metadata = [
                "trace-id": "\(context.traceIDText)", "span-id": "\(context.spanIDText)", "parent-span-id": "\(parentSpan)",
                "kind": "\(kind)", "duration": "\(ContinuousClock.now - started)",
            ]
            for (key, value) in attributes { metadata[key] = "\(value)" }
            if let error { metadata["error"] = "\(error)" }
            logger.info("span \(name)", metadata: metadata)
        }
    }
}
