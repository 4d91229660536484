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
    /// Only tasks after this one in the query's order: the ``TaskPage/next`` of the previous page.
    public var after: QueryCursor?

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
    /// Where the next page starts, when there are more.
    public var next: QueryCursor?
}

/// A place in the order of a query's tasks: the next page of a listing starts after it. A task that moves
/// between two pages (it runs, or finishes) may be listed on both, or on neither.
public struct QueryCursor: Sendable, Hashable {
    /// 0 waiting or running, 1 finished; negated for the latest first.
    var group: Int
    /// The due time, or the end of a finished task's retention hour, in milliseconds; negated likewise.
    var time: Int64
    /// The task file's path, which orders tasks of the same time.
    var path: String
    /// Whether it was made for the order latest first.
    public private(set) var newestFirst: Bool

    init(_ task: ListedTask, newestFirst: Bool) {
        group = task.group
        time = task.time
        path = task.location.path
        self.newestFirst = newestFirst
    }

    /// The cursor as an opaque token of URL-safe characters (hexadecimal digits).
    public var token: String {
        let digits = Array("0123456789abcdef".utf8)
        let text = "\(newestFirst ? "n" : "o") \(group) \(time) \(path)"
        return String(decoding: text.utf8.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// The cursor a ``token`` gives; `nil` if `token` is not one.
    public init?(token: String) {
        let hex = Array(token.utf8)
        guard hex.count <= 2048, hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: hex.count, by: 2) {
            guard let high = Self.hexValue(hex[index]), let low = Self.hexValue(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: " ", maxSplits: 3)
        guard parts.count == 4, parts[0] == "n" || parts[0] == "o", let group = Int(parts[1]), (-1...1).contains(group),
            let time = Int64(parts[2]), !parts[3].isEmpty
        else { return nil }
        self.group = group
        self.time = time
        path = String(parts[3])
        newestFirst = parts[0] == "n"
    }

    /// The value of a lower-case hexadecimal digit.
    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Whether `task` comes after the cursor.
    func precedes(_ task: ListedTask) -> Bool {
        (group, time, path) < (task.group, task.time, task.location.path)
    }

    /// Whether every task of `group` from `first` to `last` (in milliseconds, unnegated) is at or before the
    /// cursor, in the order the cursor was made for.
    func passes(group: Int, from first: Int64, to last: Int64) -> Bool {
        newestFirst ? (-group, -first) < (self.group, time) : (group, last) < (self.group, time)
    }
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
