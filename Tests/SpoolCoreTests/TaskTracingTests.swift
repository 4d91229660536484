import InMemoryTracing
import SpoolCore
import SpoolTestSupport
import Testing
import Tracing

/// The spans of a task's way through the spool, made with an in-memory tracer that propagates W3C Trace
/// Context: one trace per task, parented on the producer's `traceparent`, with their attributes and times.
@Suite struct TaskTracingTests {
    static let producer = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    static let producerTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

    /// A spool on `clock` traced by `tracer`.
    static func open(_ spool: TemporarySpool, clock: ManualClock, tracer: W3CInMemoryTracer) throws -> Spool {
        try Spool(root: spool.path, clock: clock, tracer: tracer)
    }

    /// The trace context stored in the file of task `id`.
    static func stored(_ id: String, in spool: Spool) throws -> TaskTrace? {
        try spool.record(at: #require(spool.find(id: id))).trace
    }

    @Test func aTaskIsOneTraceParentedOnItsProducer() throws {
        try TemporarySpool.with { temporary in
            let clock = ManualClock()
            let tracer = W3CInMemoryTracer()
            let spool = try Self.open(temporary, clock: clock, tracer: tracer)
            let given = try TaskTrace(traceparent: Self.producer, tracestate: "vendor=abc")
            let due = clock.now
            let id = try spool.enqueue(NewTask(queue: "mail", type: "email.send", trace: given))
            let enqueue = try #require(tracer.finishedSpans.only(SpanName.enqueue))
            #expect(enqueue.traceID == Self.producerTraceID && enqueue.parentSpanID == "00f067aa0ba902b7")
            #expect(enqueue.kind == .producer)
            // The file holds the enqueue span's context, and keeps the producer's tracestate.
            let stored = try #require(try Self.stored(id, in: spool))
            #expect(stored.traceID == Self.producerTraceID && stored.spanID == enqueue.spanID)
            #expect(stored.tracestate == "vendor=abc")

            clock.advance(by: 7)
            let task = try #require(try spool.claimNext(queue: "mail"))
            #expect(task.trace?.traceID == Substring(Self.producerTraceID))
            clock.advance(by: 1)
            try spool.complete(task)

            let spans = tracer.finishedSpans
            #expect(spans.map(\.operationName) == ["enqueue", "wait", "finish", "attempt"])
            #expect(Set(spans.map(\.traceID)) == [Self.producerTraceID])
            let wait = try #require(spans.only(SpanName.wait))
            let attempt = try #require(spans.only(SpanName.attempt))
            let finish = try #require(spans.only(SpanName.finish))
            #expect(wait.parentSpanID == enqueue.spanID && attempt.parentSpanID == enqueue.spanID)
            #expect(finish.parentSpanID == attempt.spanID)
            #expect(task.trace?.spanID == Substring(attempt.spanID))
            #expect(wait.startInstant.millisecondsSinceEpoch == UInt64(due.milliseconds))
            #expect(wait.endInstant.millisecondsSinceEpoch == attempt.startInstant.millisecondsSinceEpoch)
            #expect(attempt.endInstant.millisecondsSinceEpoch == UInt64(clock.now.milliseconds))
            #expect(attempt.kind == .consumer && attempt.status == nil)
            for span in spans {
                #expect(span.attributes.string("spool.task.id") == id, "\(span.operationName)")
                #expect(span.attributes.string("spool.queue") == "mail")
                #expect(span.attributes.string("messaging.system") == "spool")
                #expect(span.attributes.string("messaging.destination.name") == "mail")
                #expect(span.attributes.string("messaging.message.id") == id)
            }
            #expect(enqueue.attributes.string("messaging.operation.type") == "send")
            #expect(attempt.attributes.string("messaging.operation.type") == "process")
            #expect(attempt.attributes.string("spool.task.type") == "email.send")
            #expect(attempt.attributes.int("spool.task.attempt") == 1)
            #expect(attempt.attributes.string("spool.worker") == "\(spool.worker)")
            #expect(finish.attributes.string("spool.outcome") == "succeeded")
        }
    }

    @Test func aFailedAttemptHasAnErrorStatusAndEachAttemptItsSpans() throws {
        try TemporarySpool.with { temporary in
            let clock = ManualClock()
            let tracer = W3CInMemoryTracer()
            let spool = try Self.open(temporary, clock: clock, tracer: tracer)
            try spool.enqueue(NewTask(type: "t", maxAttempts: 2, backoff: .table([0])))
            let first = try #require(try spool.claimNext())
            try spool.fail(first, error: "connect: connection refused")
            let second = try #require(try spool.claimNext())
            try spool.fail(second, error: "still refused")

            let spans = tracer.finishedSpans
            #expect(Set(spans.map(\.traceID)).count == 1, "one trace, though the producer gave none")
            let attempts = spans.filter { $0.operationName == SpanName.attempt }
            #expect(attempts.map { $0.attributes.int("spool.task.attempt") } == [1, 2])
            #expect(
                attempts.map(\.status) == [
                    SpanStatus(code: .error, message: "connect: connection refused"),
                    SpanStatus(code: .error, message: "still refused"),
                ]
            )
            let finishes = spans.filter { $0.operationName == SpanName.finish }
            #expect(finishes.map { $0.attributes.string("spool.outcome") } == ["retry", "dead"])
            #expect(finishes[0].attributes.string("spool.retry_at") != nil)
            #expect(finishes[1].attributes.string("spool.reason") == "attempts spent (2 of 2)")
            #expect(finishes.map(\.parentSpanID) == attempts.map(\.spanID))
            #expect(spans.filter { $0.operationName == SpanName.wait }.count == 2)
        }
    }

    @Test func aTaskWithoutContextJoinsTheCurrentSpan() throws {
        try TemporarySpool.with { temporary in
            let tracer = W3CInMemoryTracer()
            let spool = try Self.open(temporary, clock: ManualClock(), tracer: tracer)
            let request = tracer.startSpan("POST /orders")
            let id = try ServiceContext.withValue(request.context) { try spool.enqueue(NewTask(type: "t")) }
            request.end()
            let enqueue = try #require(tracer.finishedSpans.only(SpanName.enqueue))
            #expect(enqueue.parentSpanID == request.context.inMemorySpanContext?.spanID)
            let stored = try Self.stored(id, in: spool)
            #expect(stored?.traceID == Substring(request.context.inMemorySpanContext?.traceID ?? ""))
        }
    }

    @Test func aTaskFinishedWithoutRunningHasNoAttemptSpan() throws {
        try TemporarySpool.with { temporary in
            let clock = ManualClock()
            let tracer = W3CInMemoryTracer()
            let spool = try Self.open(temporary, clock: clock, tracer: tracer)
            try spool.enqueue(NewTask(type: "t", deadline: clock.now.adding(seconds: 1)))
            clock.advance(by: 2)
            #expect(try spool.claimNext() == nil)
            let spans = tracer.finishedSpans
            #expect(spans.map(\.operationName) == ["enqueue", "wait", "finish"])
            #expect(spans.last?.attributes.string("spool.outcome") == "expired")
        }
    }

    @Test func aHandedBackAttemptEndsWithoutError() throws {
        try TemporarySpool.with { temporary in
            let tracer = W3CInMemoryTracer()
            let spool = try Self.open(temporary, clock: ManualClock(), tracer: tracer)
            try spool.enqueue(NewTask(type: "t"))
            try spool.handBack(try #require(try spool.claimNext()))
            let attempt = try #require(tracer.finishedSpans.only(SpanName.attempt))
            #expect(attempt.status == nil && attempt.attributes.string("spool.outcome") == "handed_back")
        }
    }

    @Test func aDropAndABatchAreTracedLikeAnEnqueue() throws {
        try TemporarySpool.with { temporary in
            let tracer = W3CInMemoryTracer()
            let spool = try Self.open(temporary, clock: ManualClock(), tracer: tracer)
            let drop = #"{"type":"t","traceparent":"\#(Self.producer)"}"#
            try SpoolFiles.write(drop, to: "\(temporary.path)/incoming/a.json")
            guard case .accepted(let id, _) = try spool.ingest("a.json") else {
                Issue.record("not accepted")
                return
            }
            let given = try TaskTrace(traceparent: Self.producer)
            let ids = try spool.enqueue(documents: [Array(#"{"type":"t"}"#.utf8)], trace: given)
            let enqueues = tracer.finishedSpans.filter { $0.operationName == SpanName.enqueue }
            #expect(enqueues.map { $0.attributes.string("spool.enqueue.source") } == ["drop", "library"])
            #expect(enqueues.map(\.traceID) == [Self.producerTraceID, Self.producerTraceID])
            #expect(enqueues.map { $0.attributes.string("spool.task.id") } == [id] + ids)
        }
    }

    @Test func withoutATracerNothingChanges() throws {
        try TemporarySpool.with { temporary in
            let spool = try temporary.open(clock: ManualClock())
            let given = try TaskTrace(traceparent: Self.producer)
            let id = try spool.enqueue(NewTask(type: "t", trace: given))
            #expect(try Self.stored(id, in: spool) == given)
            let task = try #require(try spool.claimNext())
            #expect(task.trace == given && task.serviceContext == nil)
        }
    }
}

extension [FinishedInMemorySpan] {
    /// The one span named `name`; `nil` when there is none or more than one.
    func only(_ name: String) -> FinishedInMemorySpan? {
        let matching = filter { $0.operationName == name }
        return matching.count == 1 ? matching[0] : nil
    }
}

extension SpanAttributes {
    /// The attribute `name` as a string.
    func string(_ name: String) -> String? {
        if case .string(let value)? = get(name) { return value }
        return nil
    }

    /// The attribute `name` as an integer.
    func int(_ name: String) -> Int? {
        switch get(name) {
        case .int64(let value)?: return Int(value)
        case .int32(let value)?: return Int(value)
        default: return nil
        }
    }
}
