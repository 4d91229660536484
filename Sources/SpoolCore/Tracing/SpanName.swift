/// The names of the spans Spool makes for each task. They are a contract that trace queries and alerts are
/// written against: docs/OPERATIONS.md lists each with its attributes and meaning.
package enum SpanName {
    /// Producer span: the task accepted into the spool (an enqueue, a batch, a drop ingested, a cron tick).
    package static let enqueue = "enqueue"
    /// From the task's due time to its claim by a worker.
    package static let wait = "wait"
    /// Consumer span: one attempt, from the claim to its recorded outcome; the handler runs in it.
    package static let attempt = "attempt"
    /// The outcome recorded (`succeeded`, `retry`, `dead`, `expired`, `cancelled`).
    package static let finish = "finish"
}

/// The attribute keys of Spool's spans: Spool's own, dotted as its log metadata, and OpenTelemetry's
/// messaging conventions where they fit.
package enum SpanAttributeName {
    /// The task's id, on every span.
    package static let taskID = "spool.task.id"
    /// The task's queue, on every span.
    package static let queue = "spool.queue"
    /// The task's type (its handler): `enqueue` and `attempt`.
    package static let taskType = "spool.task.type"
    /// The attempt's number, from 1: `wait`, `attempt` and `finish`.
    package static let attempt = "spool.task.attempt"
    /// The worker that claimed the task: `attempt`.
    package static let worker = "spool.worker"
    /// How the task entered the spool (`library`, `drop`, `cron`): `enqueue`.
    package static let source = "spool.enqueue.source"
    /// When the task is first due, RFC 3339: `enqueue`.
    package static let due = "spool.task.due"
    /// What the finish recorded: `finish`.
    package static let outcome = "spool.outcome"
    /// The failed attempt's error: `finish`.
    package static let error = "spool.error"
    /// When a retried task is due again, RFC 3339: `finish` of a retry.
    package static let retryAt = "spool.retry_at"
    /// Why the task went to `dead/`: `finish` of a dead task.
    package static let reason = "spool.reason"
    /// `spool`, on every span.
    package static let messagingSystem = "messaging.system"
    /// The queue, on every span.
    package static let destination = "messaging.destination.name"
    /// The task's id, on every span.
    package static let messageID = "messaging.message.id"
    /// `send`, `receive`, `process` or `settle`, on every span.
    package static let operationType = "messaging.operation.type"
    /// The span's name, on every span.
    package static let operationName = "messaging.operation.name"
}
