public import InMemoryTracing
import Synchronization
public import Tracing

/// swift-distributed-tracing's `InMemoryTracer`, propagating W3C Trace Context as a real tracer does: it
/// extracts a `traceparent` (and `tracestate`) into a remote parent and injects its spans as `traceparent`,
/// with W3C-shaped ids (32 and 16 lower-case hexadecimal digits), so that a test can follow a task's trace
/// from a producer's `traceparent` through the spool into a handler's environment or headers.
public struct W3CInMemoryTracer: Tracer {
    /// The tracer that makes and keeps the spans.
    public let recorder = InMemoryTracer(idGenerator: .w3c)

    /// Creates a tracer with no span.
    public init() {}

    /// The spans ended so far, in the order they ended.
    public var finishedSpans: [FinishedInMemorySpan] { recorder.finishedSpans }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> InMemorySpan {
        recorder.startSpan(
            operationName,
            context: context(),
            ofKind: kind,
            at: instant(),
            function: function,
            file: fileID,
            line: line
        )
    }

    public func forceFlush() {
        recorder.forceFlush()
    }

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Carrier == Extract.Carrier {
        let parts = extractor.extract(key: "traceparent", from: carrier)?.split(separator: "-") ?? []
        guard parts.count == 4 else { return }
        context.inMemorySpanContext = InMemorySpanContext(
            traceID: String(parts[1]),
            spanID: String(parts[2]),
            parentSpanID: nil
        )
        context[TraceStateKey.self] = extractor.extract(key: "tracestate", from: carrier)
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Carrier == Inject.Carrier {
        guard let span = context.inMemorySpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
        if let state = context[TraceStateKey.self] { injector.inject(state, forKey: "tracestate", into: &carrier) }
    }
}

/// The `tracestate` extracted with a remote parent, kept by every span started in its context.
private enum TraceStateKey: ServiceContextKey {
    typealias Value = String
}

extension InMemoryTracer.IDGenerator {
    /// Random 128-bit trace ids and counted 64-bit span ids, in lower-case hexadecimal.
    fileprivate static var w3c: Self {
        let spans = Counter()
        return Self(
            nextTraceID: { hex(.random(in: 1...UInt64.max)) + hex(.random(in: 0...UInt64.max)) },
            nextSpanID: { hex(spans.next()) }
        )
    }
}

/// `value` as 16 lower-case hexadecimal digits.
private func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

/// Hands out 1, 2, 3, …
private final class Counter: Sendable {
    private let value = Mutex<UInt64>(0)

    func next() -> UInt64 {
        value.withLock { value in
            value += 1
            return value
        }
    }
}
