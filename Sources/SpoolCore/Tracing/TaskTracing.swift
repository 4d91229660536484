package import Tracing

/// The spans of what this process does to tasks, made with one tracer: `enqueue`, `wait`, `attempt` and
/// `finish` (docs/OPERATIONS.md, Tracing, lists each with its attributes).
///
/// Every span of a task is in the trace its `traceparent` field names: an enqueue stores there the context of its
/// own span, a child of the context the producer gave (or of the span current where it enqueued), so that the
/// later spans of the task, started from the field, share one trace. Spans are timed by the spool's clock.
/// With the no-op tracer (no tracing bootstrapped, none given) nothing is made and no field is touched.
package final class TaskTracing: Sendable {
    /// The tracer the spans are made with.
    package let tracer: any Tracer
    /// Whether spans are made at all: not with the no-op tracer, so that a process that does not trace pays
    /// nothing for it.
    package let isEnabled: Bool

    package init(tracer: any Tracer) {
        self.tracer = tracer
        self.isEnabled = !(tracer is NoOpTracer)
    }

    /// Starts the `enqueue` span of `record`, in the record's own trace when it has one, else in the span
    /// current where the enqueue runs, and makes the span's context the record's trace.
    ///
    /// - Returns: The span, to be ended by ``endEnqueue(_:failure:at:)`` once the task is placed.
    func startEnqueue(_ record: inout TaskRecord, source: EnqueueSource, at now: Timestamp) -> (any Span)? {
        guard isEnabled else { return nil }
        let parent = record.trace.map { $0.serviceContext(with: tracer) } ?? ServiceContext.current ?? .topLevel
        let span = tracer.startSpan(SpanName.enqueue, context: parent, ofKind: .producer, at: now)
        let due = record.runAt
        span.updateAttributes { attributes in
            attributes.describe(record, operation: .send, name: SpanName.enqueue)
            attributes[SpanAttributeName.taskType] = record.type
            attributes[SpanAttributeName.source] = source.rawValue
            if let due { attributes[SpanAttributeName.due] = due.rfc3339 }
        }
        if let trace = TaskTrace(injecting: span.context, with: tracer) { record.trace = trace }
        return span
    }

    /// Ends an `enqueue` span at `now`, with an error status when the task could not be placed; a task left
    /// out because its id is in use (a cron tick another scheduler fired) has the outcome `skipped`.
    func endEnqueue(_ span: (any Span)?, failure: SpoolError?, skipped: Bool = false, at now: Timestamp) {
        guard let span else { return }
        if let failure { span.setStatus(SpanStatus(code: .error, message: failure.message)) }
        if skipped { span.attributes[SpanAttributeName.outcome] = "skipped" }
        span.end(at: now)
    }

    /// The `wait` span of a task claimed at `now`: from its due time to the claim.
    func waited(_ task: ClaimedTask, at now: Timestamp) {
        guard isEnabled else { return }
        let span = tracer.startSpan(
            SpanName.wait,
            context: context(of: task.record),
            ofKind: .internal,
            at: min(task.fileName.due, now)
        )
        span.updateAttributes { attributes in
            attributes.describe(task.record, operation: .receive, name: SpanName.wait)
            attributes[SpanAttributeName.attempt] = task.attempt
        }
        span.end(at: now)
    }

    /// Starts the `attempt` span of a task claimed at `now`, which the task carries until its outcome is
    /// recorded, and the trace context its handler is given.
    func startAttempt(_ task: inout ClaimedTask, at now: Timestamp) {
        guard isEnabled else { return }
        let span = tracer.startSpan(SpanName.attempt, context: context(of: task.record), ofKind: .consumer, at: now)
        let (attempt, worker) = (task.attempt, "\(task.worker)")
        span.updateAttributes { attributes in
            attributes.describe(task.record, operation: .process, name: SpanName.attempt)
            attributes[SpanAttributeName.taskType] = task.record.type
            attributes[SpanAttributeName.attempt] = attempt
            attributes[SpanAttributeName.worker] = worker
        }
        task.attemptSpan = span
        task.attemptTrace = TaskTrace(injecting: span.context, with: tracer)
    }

    /// The outcome of `task` recorded: a `finish` span from `startedAt` to `now`, in the attempt's span when
    /// this process ran it (else in the task's trace), then the end of the attempt span, with an error
    /// status when the attempt failed.
    ///
    /// - Parameters:
    ///   - outcome: `succeeded`, `retry`, or how the task went to `dead/` (``FinishOutcome``).
    ///   - attempt: The number of the attempt whose outcome this is (or of the next one, for a task finished
    ///     without running).
    ///   - attemptError: Why the attempt failed; `nil` when it did not fail (or none ran).
    ///   - details: More attributes of the `finish` span.
    func finished(
        _ task: ClaimedTask,
        outcome: String,
        attempt: Int,
        attemptError: String?,
        details: [String: String] = [:],
        startedAt: Timestamp,
        at now: Timestamp
    ) {
        guard isEnabled else { return }
        let parent = task.attemptSpan?.context ?? context(of: task.record)
        let span = tracer.startSpan(SpanName.finish, context: parent, ofKind: .internal, at: min(startedAt, now))
        span.updateAttributes { attributes in
            attributes.describe(task.record, operation: .settle, name: SpanName.finish)
            attributes[SpanAttributeName.outcome] = outcome
            attributes[SpanAttributeName.attempt] = attempt
            if let attemptError { attributes[SpanAttributeName.error] = attemptError }
            for (key, value) in details { attributes[key] = value }
        }
        span.end(at: now)
        endAttempt(task, error: attemptError, at: now)
    }

    /// Ends the attempt span of a task handed back to `active/` at `now`, uncounted: its outcome is
    /// `handed_back`.
    func handedBack(_ task: ClaimedTask, at now: Timestamp) {
        task.attemptSpan?.attributes[SpanAttributeName.outcome] = "handed_back"
        endAttempt(task, error: nil, at: now)
    }

    /// Ends the attempt span of `task` at `now`, with an error status when `error` is given.
    func endAttempt(_ task: ClaimedTask, error: String?, at now: Timestamp) {
        guard let span = task.attemptSpan else { return }
        if let error { span.setStatus(SpanStatus(code: .error, message: error)) }
        span.end(at: now)
    }

    /// The context the spans of a task are started in: its trace, else none (a new trace).
    private func context(of record: TaskRecord) -> ServiceContext {
        record.trace.map { $0.serviceContext(with: tracer) } ?? .topLevel
    }
}

extension SpanAttributes {
    /// Sets what every span of a task carries: its id and queue, in Spool's names and in OpenTelemetry's
    /// messaging conventions.
    fileprivate mutating func describe(_ record: TaskRecord, operation: MessagingOperation, name: String) {
        self[SpanAttributeName.taskID] = record.id
        self[SpanAttributeName.queue] = record.queue
        self[SpanAttributeName.messagingSystem] = "spool"
        self[SpanAttributeName.destination] = record.queue
        self[SpanAttributeName.messageID] = record.id
        self[SpanAttributeName.operationType] = operation.rawValue
        self[SpanAttributeName.operationName] = name
    }
}

/// The `messaging.operation.type` of each span, from OpenTelemetry's messaging conventions.
private enum MessagingOperation: String {
    /// A message is sent: `enqueue`.
    case send
    /// A message is taken from its queue: `wait`, which ends at the claim.
    case receive
    /// A message is processed: `attempt`.
    case process
    /// A message's outcome is recorded: `finish`.
    case settle
}
