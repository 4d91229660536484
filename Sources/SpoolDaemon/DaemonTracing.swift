import Logging
import OTel
import ServiceLifecycle
import SpoolConfig
import Tracing

/// The tracer a daemon traces its tasks with: swift-otel's, exporting over OTLP/HTTP, when `spool.yaml` has a
/// `tracing` section; else the no-op tracer, with which the spool makes no span at all.
struct DaemonTracing {
    /// What the spool traces with.
    let tracer: any Tracer
    /// The exporter's background work: batches spans, sends them, and flushes what is left at a graceful
    /// shutdown. `nil` without tracing.
    let service: (any Service)?

    /// Makes the tracer `settings` ask for. The `OTEL_*` environment variables of the OpenTelemetry
    /// specification override the settings (`OTEL_EXPORTER_OTLP_HEADERS` gives a collector's API key).
    ///
    /// - Throws: ``ConfigurationError`` when swift-otel refuses the settings.
    init(settings: TracingSettings?, source: String, logger: Logger) throws(ConfigurationError) {
        guard let settings else {
            tracer = NoOpTracer()
            service = nil
            return
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.endpoint = settings.tracesURL
        configuration.traces.otlpExporter.protocol =
            settings.wireProtocol == .httpJSON ? .httpJSON : .httpProtobuf
        configuration.traces.otlpExporter.timeout = .milliseconds(Int64(settings.timeout * 1000))
        // A task given a trace follows its producer's sampling decision; a new trace is kept at this ratio.
        if let sampler = OTel.Configuration.TracesConfiguration.SamplerConfiguration.parentBasedTraceIDRatio(
            ratio: settings.sample
        ) {
            configuration.traces.sampler = sampler
        }
        do {
            let backend = try OTel.makeTracingBackend(configuration: configuration)
            tracer = backend.factory
            service = backend.service
        } catch {
            throw ConfigurationError(source: source, reason: "tracing: \(error)")
        }
    }
}
