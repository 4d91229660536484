import InMemoryTracing
import SpoolConfig
import SpoolCore
import SpoolHandlers
import SpoolTestSupport
import SpoolWorker
import Testing

/// Handlers pass on the trace context of the attempt: an exec command in `TRACEPARENT` and `TRACESTATE`, an
/// HTTP callback in its `traceparent` and `tracestate` headers.
@Suite("Trace propagation", .timeLimit(.minutes(1)))
struct TracePropagationTests {
    static let producer = try! TaskTrace(
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        tracestate: "congo=t61rcWkgMzE"
    )

    /// The attempt span of the task of `context`, still open while its handler runs.
    static func attemptSpan(_ tracer: W3CInMemoryTracer) throws -> InMemorySpan {
        try #require(tracer.recorder.activeSpans.first { $0.operationName == "attempt" })
    }

    @Test func anExecCommandIsGivenTheAttemptsContext() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script(#"printf '%s %s' "$TRACEPARENT" "$TRACESTATE""#, in: directory)
            let tracer = W3CInMemoryTracer()
            let context = try TaskFixture.context(in: directory, trace: Self.producer, tracer: tracer)
            let result = try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
            let attempt = try Self.attemptSpan(tracer)
            #expect(
                result
                    == .string("00-0af7651916cd43dd8448eb211c80319c-\(attempt.spanID)-01 congo=t61rcWkgMzE"),
                "the producer's trace, the attempt's span"
            )
        }
    }

    @Test func withoutATracerAnExecCommandIsGivenTheTasksOwnContext() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script(#"printf '%s' "$TRACEPARENT""#, in: directory)
            let context = try TaskFixture.context(in: directory, trace: Self.producer)
            let result = try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
            #expect(result == .string(Self.producer.traceparent))
        }
    }

    @Test func aTaskWithoutContextLeavesNoVariable() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script(#"echo "${TRACEPARENT-unset} ${TRACESTATE-unset}""#, in: directory)
            var spec = script.spec
            // As if the daemon itself had been started inside a trace.
            spec.environment = ["TRACEPARENT": Self.producer.traceparent, "TRACESTATE": "a=b"]
            let context = try TaskFixture.context(in: directory)
            let result = try await ExecHandler(spec: spec, spoolRoot: directory.path).run(context)
            #expect(result == .string("unset unset"))
        }
    }

    @Test func anHTTPCallbackSendsTheAttemptsContext() async throws {
        try await withServerAndClient { server, client, directory in
            let tracer = W3CInMemoryTracer()
            let http = JSONValue.object([
                JSONMember("url", .string(server.url("/json"))),
                JSONMember("headers", .object([JSONMember("TraceState", .string("stale=1"))])),
            ])
            let context = try TaskFixture.context(in: directory, http: http, trace: Self.producer, tracer: tracer)
            _ = try await HTTPCallbackHandler(spec: HTTPHandlerSpec(), client: client).run(context)
            let attempt = try Self.attemptSpan(tracer)
            let request = try #require(server.requests.first)
            #expect(request.headers["traceparent"] == "00-0af7651916cd43dd8448eb211c80319c-\(attempt.spanID)-01")
            #expect(request.headers["tracestate"] == "congo=t61rcWkgMzE", "the task's, not one given for another trace")
        }
    }
}
