import InMemoryTracing
import SpoolCore
import SpoolTestSupport
import SpoolWorker
import Synchronization
import Testing
import Tracing

/// A Swift handler runs with its attempt's span as `ServiceContext.current`: the spans it starts are the
/// attempt's children, in the task's trace.
@Suite(.timeLimit(.minutes(1))) struct HandlerTraceTests {
    @Test func aSwiftHandlersSpansAreChildrenOfItsAttempt() async throws {
        try await TemporarySpool.with { directory in
            let tracer = W3CInMemoryTracer()
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none), tracer: tracer)
            var handlers = TaskHandlers()
            handlers.register("t") { _ in
                tracer.withSpan("render") { _ in }
                return nil
            }
            let id = try spool.enqueue(NewTask(type: "t"))
            try await whileRunning(SpoolEngine(spool: spool, handlers: handlers)) {
                #expect(await eventually { spool.find(id: id)?.state == .done })
            }
            let spans = tracer.finishedSpans
            let render = try #require(spans.first { $0.operationName == "render" })
            let attempt = try #require(spans.first { $0.operationName == "attempt" })
            #expect(render.parentSpanID == attempt.spanID && render.traceID == attempt.traceID)
        }
    }
}
