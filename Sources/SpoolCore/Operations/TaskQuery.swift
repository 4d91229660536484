/// Which tasks ``Spool/query(_:)`` lists, in which order, and how many.
///
/// Filters on what a file's name and folder say (state, queue, due time) cost nothing per task; the others
/// read the file, and only for a task that would be listed otherwise.
public struct TaskQuery: Sendable {
    /// The states listed (every state by default).
    public var states: [TaskState] = TaskState.allCases
    /// Only this queue.
    public var queue: String?
    /// Only tasks with this business key (`key`), found through the key index rather than a walk.
    public var key: String?
    /// Only tasks of this type.
    public var type: String?
    /// Only tasks whose last error or final reason contains this text.
    public var errorContains: String?
    /// Only tasks accepted within this range.
    public var created = TimeRange()
    /// Only waiting or running tasks due within this range (a finished task has no due time to match).
    public var due = TimeRange()
    /// Only finished tasks that finished within this range.
    public var finished = TimeRange()
    /// Only tasks whose payload has these values at these fields (a field path is split on `.`).
    public var payload: [(field: [String], value: JSONValue)] = []
    /// The latest first: finished tasks (the latest retention end first), then waiting ones, the latest due
    /// first. By default the earliest first: waiting and running tasks in due order, then finished ones.
    public var newestFirst = false
    /// At most this many tasks.
    public var limit = 100

    /// Every task, the earliest first, at most 100.
    public init() {}

    /// Whether matching needs the task's content, not only its name.
    var readsContent: Bool {
        type != nil || errorContains != nil || !created.isUnbounded || !finished.isUnbounded || !payload.isEmpty
    }

    /// Whether `record` matches the filters on content.
    func matches(_ record: TaskRecord) -> Bool {
        if let type, record.type != type { return false }
        if let errorContains {
            let text = [record.attempts.last?.error, record.stateReason].compactMap { $0 }.joined(separator: "\n")
            if !text.contains(errorContains) { return false }
        }
        if !created.isUnbounded, !(record.createdAt.map(created.contains) ?? false) { return false }
        if !finished.isUnbounded, !(record.finishedAt.map(finished.contains) ?? false) { return false }
        for (field, value) in payload {
            var current: JSONValue? = record.payload
            for name in field { current = current?[name] }
            if current != value { return false }
        }
        return true
    }
}

/// A range of times, open at either end.
public struct TimeRange: Sendable, Hashable {
    /// The earliest time in the range, if any.
    public var from: Timestamp?
    /// The latest time in the range, if any.
    public var until: Timestamp?

    /// A range; unbounded by default.
    public init(from: Timestamp? = nil, until: Timestamp? = nil) {
        self.from = from
        self.until = until
    }

    var isUnbounded: Bool { from == nil && until == nil }

    /// Whether `time` is in the range.
    public func contains(_ time: Timestamp) -> Bool {
        (from.map { time >= $0 } ?? true) && (until.map { time <= $0 } ?? true)
    }
}

/// What ``Spool/query(_:)`` found.
public struct TaskPage: Sendable {
    /// The tasks, in the order asked for.
    public var tasks: [TaskLocation]
    /// Whether more tasks match than the limit let through.
    public var more: Bool
}

/// A task found by a query, ordered as the query asks: by group (waiting before finished), then time
/// (due, or the end of a finished task's retention hour), then path; negated for the latest first.
struct ListedTask: Comparable {
    var group: Int
    var time: Int64
    var location: TaskLocation

    static func < (lhs: ListedTask, rhs: ListedTask) -> Bool {
        (lhs.group, lhs.time, lhs.location.path) < (rhs.group, rhs.time, rhs.location.path)
    }

    static func == (lhs: ListedTask, rhs: ListedTask) -> Bool {
        lhs.location.path == rhs.location.path && lhs.group == rhs.group && lhs.time == rhs.time
    }
}
