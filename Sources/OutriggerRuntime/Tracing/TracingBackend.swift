import Logging
import OTel
import OutriggerCore
import OutriggerDelivery
import ServiceLifecycle

/// Turns the Configuration's `spec.tracing` into the sidecar's tracer: spans exported over OTLP
/// (gRPC or HTTP) through swift-otel, or written to the log (`stdout`), or propagation only.
///
/// Exporting is on when `spec.tracing.otel` is set (or `OTEL_EXPORTER_OTLP_ENDPOINT` is, as
/// daprd reads it), or `spec.tracing.stdout` is true, and the sampling rate is above 0.
/// Sampling is parent-based with a trace-id ratio, as daprd samples: a sampled caller's trace
/// is always recorded, an unsampled one never, a new trace with the rate's probability. The
/// standard `OTEL_*` variables override what the Configuration sets (OpenTelemetry's rule).
enum TracingBackend {
    /// The tracer, and the service that batches and exports its spans (run it in the sidecar's
    /// service group so the last spans are flushed at shutdown); nil when nothing is exported.
    static func make(_ configuration: DaprConfiguration, appID: String, environment: [String: String], logger: Logger) throws -> (SidecarTracer, (any Service)?) {
        let tracing = configuration.tracing
        let environmentEndpoint = environment["OTEL_EXPORTER_OTLP_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        let rate = tracing?.samplingRate ?? 1
        let stdout = tracing?.stdout ?? false
        guard rate > 0, tracing?.otel != nil || environmentEndpoint != nil || stdout else {
            return (.propagationOnly, nil)
        }
        if stdout, tracing?.otel == nil, environmentEndpoint == nil {
            return (SidecarTracer(recorder: StdoutSpanRecorder(rate: rate, logger: logger.withLabel("tracing"))), nil)
        }
        var otel = OTel.Configuration.default
        otel.serviceName = appID
        otel.diagnosticLogger = .custom(logger)
        otel.diagnosticLogLevel = switch logger.logLevel {
        case .trace: .trace
        case .debug: .debug
        case .info, .notice: .info
        case .warning: .warning
        case .error, .critical: .error
        }
        otel.propagators = [.traceContext]
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.traces.enabled = true
        otel.traces.sampler = .parentBasedTraceIDRatio(ratio: rate) ?? .parentBasedAlwaysOn
        otel.traces.exporter = .otlp
        if let endpoint = tracing?.otel {
            // daprd posts OTLP/HTTP to /v1/traces of a `host:port` endpoint; a URL with a path is used as written.
            otel.traces.otlpExporter.endpoint = endpoint.transport == .http ? Self.tracesURL(endpoint.url) : endpoint.url
            otel.traces.otlpExporter.protocol = endpoint.transport == .grpc ? .grpc : .httpProtobuf
        }
        let (tracer, service) = try OTel.makeTracingBackend(configuration: otel)
        return (SidecarTracer(recorder: OTelSpanRecorder(tracer: tracer)), service)
    }

    /// `url` with the OTLP traces path when it names no path of its own.
    static func tracesURL(_ url: String) -> String {
        let afterScheme = url.split(separator: "://", maxSplits: 1).last ?? ""
        guard let slash = afterScheme.firstIndex(of: "/"), afterScheme[slash...] != "/" else {
            return (url.hasSuffix("/") ? String(url.dropLast()) : url) + "/v1/traces"
        }
        return url
    }
}
