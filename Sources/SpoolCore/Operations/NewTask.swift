import Logging
import SpoolSystem

/// A task to enqueue through the library: what a producer may set. Everything else is filled in by Spool.
public struct NewTask: Sendable {
    /// The id; a ULID is generated when `nil`. A given id must be unused: it is reserved until the task is purged.
    public var id: String?
    /// The queue, `[a-z0-9_-]{1,64}`.
    public var queue: String
    /// The handler name.
    public var type: String
    /// Any JSON for the handler.
    public var payload: JSONValue
    /// When the task is due; `nil` with no `delay` means now.
    public var runAt: Timestamp?
    /// Seconds from now until the task is due; cannot be combined with `runAt`.
    public var delay: Double?
    /// Attempts in all; the spool's default when `nil`.
    public var maxAttempts: Int?
    /// Wait before each retry; the spool's default when `nil`.
    public var backoff: Backoff?
    /// Seconds one attempt may run; the spool's default when `nil`.
    public var timeout: Double?
    /// After this time the task is not run again.
    public var deadline: Timestamp?
    /// When the task is deleted, whatever its state (qtask's delete deadline).
    public var deleteAt: Timestamp?
    /// Seconds to keep the task once finished; the spool's default when `nil`.
    public var retention: Double?
    /// External business key, for lookup.
    public var key: String?
    /// A key at most one task of the queue holds while it is pending or running (and for `uniqueFor`
    /// seconds from acceptance): a second enqueue with it is refused, naming the holder.
    public var uniqueKey: String?
    /// Seconds from acceptance during which `uniqueKey` stays held, even after the task finished.
    public var uniqueFor: Double?
    /// The callback an HTTP handler fires: `url`, `method`, `headers`, `body` or `form`.
    public var http: JSONValue?
    /// The trace the task belongs to (its `traceparent` and `tracestate` fields); when `nil`, the span current where ``Spool/enqueue(_:)``
    /// is called, if any, becomes the parent of the task's spans.
    public var trace: TaskTrace?
    /// The tasks to run, one after the other, once this one has succeeded: a chain (see
    /// ``Spool/enqueue(chain:)``). The first is enqueued when this task's success is recorded, with this
    /// task's result passed in its payload; each later one when the one before it succeeded.
    public var onSuccess: [NewTask]
    /// The tasks to run, one after the other, if this one ends in `dead/` (not when it is cancelled); the
    /// first is told of the failure in its payload.
    public var onFailure: [NewTask]
    /// Whether the result before this task in its workflow is passed in its payload; `nil` means yes.
    public var passResult: Bool?
    /// More fields, kept as they are.
    public var extra: [JSONMember]

    /// Creates a task for `queue` to be run by the handler `type`.
    public init(
        id: String? = nil,
        queue: String = "default",
        type: String,
        payload: JSONValue = .null,
        runAt: Timestamp? = nil,
        delay: Double? = nil,
        maxAttempts: Int? = nil,
        backoff: Backoff? = nil,
        timeout: Double? = nil,
        deadline: Timestamp? = nil,
        deleteAt: Timestamp? = nil,
        retention: Double? = nil,
        key: String? = nil,
        uniqueKey: String? = nil,
        uniqueFor: Double? = nil,
        http: JSONValue? = nil,
        trace: TaskTrace? = nil,
        onSuccess: [NewTask] = [],
        onFailure: [NewTask] = [],
        passResult: Bool? = nil,
        extra: [JSONMember] = []
    ) {
        self.id = id
        self.queue = queue
        self.type = type
        self.payload = payload
        self.runAt = runAt
        self.delay = delay
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.timeout = timeout
        self.deadline = deadline
        self.deleteAt = deleteAt
        self.retention = retention
        self.key = key
        self.uniqueKey = uniqueKey
        self.uniqueFor = uniqueFor
        self.http = http
        self.trace = trace
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        self.passResult = passResult
        self.extra = extra
    }

    /// The task as a record, validated by the same rules as a dropped file.
    func record(now: Timestamp, makeID: () -> String) throws(TaskValidationError) -> TaskRecord {
        try TaskRecord(json: try json(), now: now, makeID: makeID)
    }

    /// The task as a task-file document, before validation.
    func json() throws(TaskValidationError) -> JSONValue {
        var members: [JSONMember] = [JSONMember("queue", .string(queue)), JSONMember("type", .string(type))]
        func add(_ key: String, _ value: JSONValue?) {
            if let value { members.append(JSONMember(key, value)) }
        }
        add("id", id.map { .string($0) })
        add("payload", payload)
        add("run_at", runAt.map { .string($0.rfc3339) })
        add("delay", delay.map { .double($0) })
        add("max_attempts", maxAttempts.map { .integer($0) })
        add("backoff", backoff?.json)
        add("timeout", timeout.map { .double($0) })
        add("deadline", deadline.map { .string($0.rfc3339) })
        add("delete_at", deleteAt.map { .string($0.rfc3339) })
        add("retention", retention.map { .double($0) })
        add("unique_key", uniqueKey.map { .string($0) })
        add("unique_for", uniqueFor.map { .double($0) })
        add("key", key.map { .string($0) })
        add("http", http)
        add("traceparent", trace.map { .string($0.traceparent) })
        add("tracestate", trace?.tracestate.map { .string($0) })
        if !onSuccess.isEmpty {
            add("on_success", .array(try onSuccess.map { (task) throws(TaskValidationError) in try task.json() }))
        }
        if !onFailure.isEmpty {
            add("on_failure", .array(try onFailure.map { (task) throws(TaskValidationError) in try task.json() }))
        }
        add("pass_result", passResult.map { .bool($0) })
        for member in extra
        where members.contains(where: { $0.key == member.key }) || TaskRecord.knownFields.contains(member.key) {
            throw TaskValidationError("\(member.key): set it through its own property, not as an extra field")
        }
        members.append(contentsOf: extra)
        return .object(members)
    }
}
