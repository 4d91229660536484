/// One task: the content of one JSON file in the spool.
///
/// Fields a producer did not set stay `nil` and take the spool's defaults when used; fields Spool does not
/// know are kept, in order, in ``extra``.
public struct TaskRecord: Sendable, Hashable {
    /// Unique id, `[A-Za-z0-9_-]{1,64}`; a ULID when the producer gives none.
    public var id: String
    /// Queue name, `[a-z0-9_-]{1,64}`.
    public var queue: String
    /// The handler name.
    public var type: String
    /// Any JSON, handed to the handler.
    public var payload: JSONValue
    /// When the task was first due; `nil` means as soon as it was created.
    public var runAt: Timestamp?
    /// How many attempts may be made in all.
    public var maxAttempts: Int?
    /// How long to wait before each retry.
    public var backoff: Backoff?
    /// How long one attempt may run, in seconds.
    public var timeout: Double?
    /// After this time the task is not run again; it goes to `dead/`.
    public var deadline: Timestamp?
    /// When the task is deleted, in whatever state: a waiting task at that time, a finished one with its
    /// day folder (the earlier of this and its retention).
    public var deleteAt: Timestamp?
    /// How long, in seconds, the task is kept in `done/` or `dead/` once finished.
    public var retention: Double?
    /// A key that at most one pending task may hold.
    public var uniqueKey: String?
    /// Seconds from acceptance during which the unique key stays held, even after the task finished.
    public var uniqueFor: Double?
    /// An external business key, for lookup.
    public var key: String?
    /// Callback description for HTTP handlers.
    public var http: JSONValue?
    /// The W3C trace context the task's spans belong to, and that its handler is given.
    public var trace: TaskTrace?
    /// The task to enqueue when this one succeeds: a task template (see ``WorkflowTemplate``), which may
    /// carry its own `on_success` and `on_failure`. Its id is assigned when this task is accepted.
    public var onSuccess: JSONValue?
    /// The task to enqueue when this one ends in `dead/` (but not when it is cancelled).
    public var onFailure: JSONValue?
    /// Whether the result of the task that enqueued this one (or the results of its group) is added to its
    /// payload; `nil` means yes.
    public var passResult: Bool?
    /// Written by Spool: the id of the task whose finish enqueued this one.
    public var parent: String?
    /// Written by Spool: the id of the workflow this task belongs to (the first task of its chain, or its
    /// group).
    public var workflow: String?
    /// Written by Spool: the group this task is a member of.
    public var group: String?
    /// Written by Spool: this member's place in its group, from 0.
    public var groupIndex: Int?
    /// When the task was accepted by the spool.
    public var createdAt: Timestamp?
    /// Failed attempts so far, oldest first.
    public var attempts: [Attempt]
    /// How many of ``attempts`` came before the task was last retried by hand from `dead/`: those do not
    /// count against ``maxAttempts``, nor for the backoff. `nil` for 0.
    public var attemptBudgetStart: Int?
    /// The handler's result, once succeeded.
    public var result: JSONValue?
    /// When the task reached `done/` or `dead/`.
    public var finishedAt: Timestamp?
    /// Why the task is where it is (for `dead/`: which limit was reached).
    public var stateReason: String?
    /// Fields Spool does not know, in their original order.
    public var extra: [JSONMember]

    /// Creates a task with the given fields; everything else is unset.
    public init(
        id: String,
        queue: String = "default",
        type: String,
        payload: JSONValue = .null,
        runAt: Timestamp? = nil,
        maxAttempts: Int? = nil,
        backoff: Backoff? = nil,
        timeout: Double? = nil,
        deadline: Timestamp? = nil,
        retention: Double? = nil
    ) {
        self.id = id
        self.queue = queue
        self.type = type
        self.payload = payload
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.timeout = timeout
        self.deadline = deadline
        self.retention = retention
        self.attempts = []
        self.extra = []
    }
}

/// One failed attempt, recorded in the task file.
public struct Attempt: Sendable, Hashable {
    /// 1 for the first attempt.
    public var number: Int
    /// When the attempt started (the claim).
    public var startedAt: Timestamp?
    /// When it ended.
    public var finishedAt: Timestamp
    /// The worker that ran it.
    public var worker: String?
    /// What went wrong.
    public var error: String

    /// Creates an attempt record.
    public init(number: Int, startedAt: Timestamp?, finishedAt: Timestamp, worker: String?, error: String) {
        self.number = number
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.worker = worker
        self.error = error
    }
}
