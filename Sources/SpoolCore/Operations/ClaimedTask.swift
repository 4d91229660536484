public import Tracing

/// A task this process has claimed: its file is in `running/<queue>/<worker>/`, leased until its mtime.
public struct ClaimedTask: Sendable {
    /// The task's content at the claim.
    public var record: TaskRecord
    /// The file's name, `<due>.<id>.json`.
    public let fileName: TaskFileName
    /// The worker folder holding it.
    public let worker: WorkerName
    /// When it was claimed; `nil` when recovered from a worker that is gone.
    public let claimedAt: Timestamp?
    /// The attempts its file recorded at the claim: a rewrite of the file is refused if it records another
    /// number (``Spool/rewrite(_:in:with:lease:fence:)``), the fence of a late finish of a lost lease.
    let recordedAttempts: Int

    init(record: TaskRecord, fileName: TaskFileName, worker: WorkerName, claimedAt: Timestamp?) {
        self.record = record
        self.fileName = fileName
        self.worker = worker
        self.claimedAt = claimedAt
        recordedAttempts = record.attempts.count
    }

    /// The span of this attempt, from the claim to its recorded outcome; `nil` when the spool does not trace.
    var attemptSpan: (any Span)? = nil
    /// The attempt span's trace context, as the tracer propagates it.
    var attemptTrace: TaskTrace? = nil

    /// The trace context a handler passes on to what it calls (an exec command's `TRACEPARENT`, an HTTP
    /// callback's `traceparent`): the attempt span's when the spool traces, else the task's own ``TaskRecord/trace``.
    public var trace: TaskTrace? { attemptTrace ?? record.trace }

    /// The context a Swift handler runs in, whose span is the attempt's; `nil` when the spool does not trace.
    public var serviceContext: ServiceContext? { attemptSpan?.context }

    /// This attempt's number, 1 for the first.
    public var attempt: Int { record.attempts.count + 1 }

    /// The folder holding the file.
    public var folder: String { SpoolLayout.runningFolder(queue: record.queue, worker: worker) }
}

/// What came of trying to claim one task file.
public enum ClaimOutcome: Sendable {
    /// This process holds the task and may run it.
    case claimed(ClaimedTask)
    /// Another process claimed the file first (or it was otherwise gone from `active/`).
    case taken
    /// The file was finished without running: its deadline had passed (it went to `dead/`), or it was
    /// unreadable (it went to `rejected/`).
    case finishedWithoutRunning
}

/// Where a task went after a failed attempt.
public enum FailureOutcome: Sendable, Hashable {
    /// It will be tried again at this time.
    case retry(at: Timestamp)
    /// It gave up and is in `dead/`, for this reason.
    case dead(reason: String)
}
