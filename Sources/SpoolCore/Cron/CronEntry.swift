/// A periodic job: a cron spec, the time zone its fields are read in, what to do about ticks missed while
/// no scheduler ran, and the task each tick creates.
///
/// Entries come from `spool.yaml` (`cron:`) or are kept in the spool itself (`cron/entries/<name>.json`,
/// added with `spoolctl cron add`), so that they travel with backups. The spec is checked by SpoolCron
/// (`CronSchedule`), which Spool's scheduler uses; this type checks everything else.
public struct CronEntry: Sendable, Hashable {
    /// What a scheduler does about ticks that passed while no scheduler ran (after downtime).
    public enum MissedPolicy: String, Sendable, Hashable, CaseIterable {
        /// Fires none of them; the next tick fires as usual.
        case skip
        /// Fires one run for all of them, at once.
        case once
        /// Fires each of them, the latest ``CronEntry/missedLimit`` at most, oldest first.
        case all
    }

    /// The entry's name: `[A-Za-z0-9_-]{1,45}`; the ids of its tasks start with `cron-<name>-`.
    public var name: String
    /// The cron spec, as SpoolCron reads it (`*/5 * * * *`, `0 30 9 * * MON-FRI`, `@every 10s`, `@daily`…).
    public var spec: String
    /// The tz database zone the spec's fields are read in.
    public var timeZone: String
    /// What to do about missed ticks.
    public var missed: MissedPolicy
    /// The most missed ticks that ``MissedPolicy/all`` fires.
    public var missedLimit: Int
    /// The task each tick creates, in the task-file format without `id`, `run_at` or `delay`: the id is
    /// derived from the entry and the tick, and the task is due at the tick.
    public var task: [JSONMember]

    /// The longest entry name: the id `cron-<name>-<13-digit tick>` must fit 64 characters.
    public static let maximumNameLength = 45
    /// The largest ``missedLimit``.
    public static let maximumMissedLimit = 10_000
    /// Task fields a template may not set: Spool sets them for each tick, or they record history.
    static let reservedTaskFields: Set<String> = ["id", "run_at", "delay", "created_at", "attempts", "result", "cron"]

    /// Creates an entry and checks it (but for the spec and zone, which SpoolCron checks).
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/invalidArgument`` naming what is wrong.
    public init(
        name: String,
        spec: String,
        timeZone: String = "UTC",
        missed: MissedPolicy = .skip,
        missedLimit: Int = 100,
        task: [JSONMember]
    ) throws(SpoolError) {
        self.name = name
        self.spec = spec
        self.timeZone = timeZone
        self.missed = missed
        self.missedLimit = missedLimit
        self.task = task
        try validate()
    }

    /// Whether `name` is a valid entry name.
    public static func isValidName(_ name: String) -> Bool {
        name.utf8.count <= maximumNameLength && Names.isValidTaskID(name)
    }

    /// The id of the task that the tick `tick` of entry `name` creates: `cron-<name>-<tick in Unix ms>`.
    public static func taskID(name: String, tick: Timestamp) -> String {
        "cron-\(name)-\(tick.milliseconds)"
    }

    /// The task that tick `tick` creates, as a task-file JSON object.
    public func task(at tick: Timestamp) -> JSONValue {
        .object(
            [
                JSONMember("id", .string(CronEntry.taskID(name: name, tick: tick))),
                JSONMember("run_at", .string(tick.rfc3339)),
                JSONMember("cron", .string(name)),
            ] + task
        )
    }

    private func validate() throws(SpoolError) {
        guard CronEntry.isValidName(name) else {
            throw SpoolError(
                .invalidArgument,
                "cron entry name \"\(name)\" must match [A-Za-z0-9_-]{1,\(CronEntry.maximumNameLength)}"
            )
        }
        guard !spec.isEmpty, spec.utf8.count <= 256 else {
            throw SpoolError(.invalidArgument, "cron entry \(name): spec must be 1-256 bytes")
        }
        guard !timeZone.isEmpty, timeZone.utf8.count <= 64 else {
            throw SpoolError(.invalidArgument, "cron entry \(name): time_zone must be 1-64 bytes")
        }
        guard (1...CronEntry.maximumMissedLimit).contains(missedLimit) else {
            throw SpoolError(
                .invalidArgument,
                "cron entry \(name): missed_limit must be 1-\(CronEntry.maximumMissedLimit)"
            )
        }
        if let reserved = task.first(where: { CronEntry.reservedTaskFields.contains($0.key) }) {
            throw SpoolError(.invalidArgument, "cron entry \(name): task: \(reserved.key) is set for each tick")
        }
        do {
            _ = try TaskRecord(json: self.task(at: Timestamp(milliseconds: 0)), now: Timestamp(milliseconds: 0)) {
                ""
            }
        } catch {
            throw SpoolError(.invalidArgument, "cron entry \(name): task: \(error.reason)")
        }
    }
}

extension CronEntry {
    /// The entry as stored in `cron/entries/<name>.json`.
    public var json: JSONValue {
        .object([
            JSONMember("name", .string(name)),
            JSONMember("spec", .string(spec)),
            JSONMember("time_zone", .string(timeZone)),
            JSONMember("missed", .string(missed.rawValue)),
            JSONMember("missed_limit", .integer(missedLimit)),
            JSONMember("task", .object(task)),
        ])
    }

    /// Reads an entry stored as ``json``.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/invalidArgument`` naming what is wrong.
    public init(json: JSONValue) throws(SpoolError) {
        guard let members = json.objectValue else {
            throw SpoolError(.invalidArgument, "cron entry: not a JSON object")
        }
        func string(_ key: String) -> String? { members.first { $0.key == key }?.value.stringValue }
        guard let name = string("name"), let spec = string("spec") else {
            throw SpoolError(.invalidArgument, "cron entry: name and spec are required")
        }
        let missedText = string("missed") ?? MissedPolicy.skip.rawValue
        guard let missed = MissedPolicy(rawValue: missedText) else {
            throw SpoolError(.invalidArgument, "cron entry \(name): missed must be skip, once or all")
        }
        let limit = members.first { $0.key == "missed_limit" }?.value
        guard let task = members.first(where: { $0.key == "task" })?.value.objectValue else {
            throw SpoolError(.invalidArgument, "cron entry \(name): task must be an object")
        }
        let missedLimit: Int
        if let limit {
            guard let value = limit.integerValue, let bounded = Int(exactly: value) else {
                throw SpoolError(.invalidArgument, "cron entry \(name): missed_limit must be a whole number")
            }
            missedLimit = bounded
        } else {
            missedLimit = 100
        }
        try self.init(
            name: name,
            spec: spec,
            timeZone: string("time_zone") ?? "UTC",
            missed: missed,
            missedLimit: missedLimit,
            task: task
        )
    }
}
