import SpoolCore

/// What a task's page shows: where it stands, its fields, its place in a workflow (its parent, its group,
/// its chain's steps), its attempts with their errors, its result and payload (indented JSON), and which
/// actions its state allows.
struct TaskDetailPage {
    /// A field and its value.
    struct Field {
        let label: String
        let value: String
    }

    /// A failed attempt.
    struct AttemptRow {
        let number: Int
        let finished: String
        let worker: String
        let error: String
    }

    let id: String
    let state: String
    let reason: String?
    let queue: String
    let queueHref: String
    let fields: [Field]
    let parentID: String?
    /// The group of a member, or of a callback.
    let groupID: String?
    let chain: ChainSection?
    let attempts: [AttemptRow]
    let hasAttempts: Bool
    let result: String?
    let payload: String
    let canRetry: Bool
    let canCancel: Bool
    let canReschedule: Bool
    let hasActions: Bool
    let csrf: String

    init(location: TaskLocation, record: TaskRecord, chain: ChainSection?, csrf: String) {
        id = location.id
        state = location.state.rawValue
        reason = record.stateReason
        queue = location.queue
        queueHref = FormEncoding.link("/dashboard/tasks", [("queue", location.queue)])
        let optional: [(String, String?)] = [
            ("Type", record.type),
            ("Key", record.key),
            ("Unique key", record.uniqueKey),
            ("Cron entry", record.extra.first { $0.key == "cron" }?.value.stringValue),
            ("Created (UTC)", record.createdAt.map(DashboardFormat.time)),
            ("Due (UTC)", location.due.map(DashboardFormat.time)),
            ("Finished (UTC)", record.finishedAt.map(DashboardFormat.time)),
            ("Deadline (UTC)", record.deadline.map(DashboardFormat.time)),
            ("Attempts", "\(record.attempts.count)" + (record.maxAttempts.map { " of at most \($0)" } ?? "")),
            ("Timeout", record.timeout.map(DashboardFormat.duration)),
        ]
        fields = optional.compactMap { label, value in value.map { Field(label: label, value: $0) } }
        parentID = record.parent
        // A callback is the one task of a workflow that no task enqueued: its `workflow` is its group.
        groupID = record.group ?? (record.parent == nil ? record.workflow : nil)
        self.chain = chain
        attempts = record.attempts.reversed().map { attempt in
            AttemptRow(
                number: attempt.number,
                finished: DashboardFormat.time(attempt.finishedAt),
                worker: attempt.worker ?? "",
                error: attempt.error
            )
        }
        hasAttempts = !attempts.isEmpty
        result = location.state == .done ? Self.pretty(record.result ?? .null) : nil
        payload = Self.pretty(record.payload)
        canRetry = location.state == .dead || location.state == .scheduled
        canCancel = location.state != .done && location.state != .dead
        canReschedule = location.state == .scheduled || location.state == .active
        hasActions = canRetry || canCancel || canReschedule
        self.csrf = csrf
    }

    /// `value` as indented JSON.
    private static func pretty(_ value: JSONValue) -> String {
        String(decoding: JSONWriter.encode(value, pretty: true), as: UTF8.self)
    }
}
