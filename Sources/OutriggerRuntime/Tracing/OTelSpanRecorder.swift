import OutriggerDelivery
import Tracing

/// Records the sidecar's spans with an OpenTelemetry tracer (swift-otel): the W3C context of a
/// span's parent goes in through the tracer's propagator, the span's own comes back out the
/// same way, so the sampler's decision travels in the `traceparent` flags.
struct OTelSpanRecorder<Backend: Tracer>: SpanRecorder {
    let tracer: Backend

    func start(_ name: String, kind: TraceSpanKind, parent: TraceParent?, traceState: String, attributes: [(String, String)]) -> (any RecordedSpan)? {
        var context = ServiceContext.topLevel
        if let parent {
            var headers = ["traceparent": parent.description]
            if !traceState.isEmpty { headers["tracestate"] = traceState }
            tracer.extract(headers, into: &context, using: HeaderExtractor())
        }
        let span = tracer.startSpan(name, context: context, ofKind: kind.spanKind)
        if span.isRecording {
            for (key, value) in attributes { span.attributes[key] = value }
        }
        var headers: [String: String] = [:]
        tracer.inject(span.context, into: &headers, using: HeaderInjector())
        guard let text = headers["traceparent"], let own = TraceParent(text) else {
            span.end()
            return nil
        }
        return Recorded(span: span, context: own)
    }

    private struct Recorded: RecordedSpan {
        let span: Backend.Span
        let context: TraceParent

        func end(error: String?) {
            if let error { span.setStatus(SpanStatus(code: .error, message: error)) }
            span.end()
        }
    }
}

private struct HeaderExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

private struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

extension TraceSpanKind {
    var spanKind: SpanKind {
        switch self {
        case .producer: .producer
        case .consumer: .consumer
        case .client: .client
        }
    }
}
