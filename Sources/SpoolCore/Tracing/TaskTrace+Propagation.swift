public import Tracing

extension TaskTrace {
    /// The context a tracer makes of this trace context: a remote parent for the spans started in it.
    func serviceContext(with tracer: any Tracer) -> ServiceContext {
        var context = ServiceContext.topLevel
        tracer.extract(self, into: &context, using: TaskTraceExtractor())
        return context
    }

    /// The trace context `tracer` propagates for `context` (its current span), as W3C Trace Context; `nil`
    /// when the tracer propagates none, or not in that form.
    public init?(injecting context: ServiceContext, with tracer: any Tracer) {
        var carrier: [String: String] = [:]
        tracer.inject(context, into: &carrier, using: HeaderInjector())
        guard let parent = carrier["traceparent"],
            let trace = try? TaskTrace(
                traceparent: parent,
                tracestate: carrier["tracestate"].flatMap { $0.isEmpty ? nil : $0 }
            )
        else { return nil }
        self = trace
    }
}

/// Reads `traceparent` and `tracestate` (in any letter case, as header names are) from a ``TaskTrace``.
struct TaskTraceExtractor: Extractor {
    func extract(key: String, from carrier: TaskTrace) -> String? {
        switch key.lowercased() {
        case "traceparent": carrier.traceparent
        case "tracestate": carrier.tracestate
        default: nil
        }
    }
}

/// Writes what a tracer propagates into a dictionary under lower-case names.
private struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key.lowercased()] = value
    }
}
