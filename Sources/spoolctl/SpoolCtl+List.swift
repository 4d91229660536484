public import ArgumentParser
import SpoolConfig
public import SpoolCore

extension TaskState: ExpressibleByArgument {}

extension SpoolCtl {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tasks: waiting and running ones in due order, then finished ones.",
            discussion: """
                Times are RFC 3339 (2026-01-31T09:30:00Z), Unix seconds, or relative to now: 2h (two hours \
                ago), +30m (in thirty minutes). Filters on state, queue and due time cost nothing per task; the \
                others read the files of the tasks that would be listed. When more tasks match than --limit, \
                a line on standard error says so. Finished tasks are ordered by the hour their retention ends.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(
            help:
                "Only tasks in this state (repeatable): \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))."
        )
        var state: [TaskState] = []

        @Option(help: "Only tasks of this queue.")
        var queue: String?

        @Option(help: "Only tasks of this type.")
        var type: String?

        @Option(help: "Only tasks with this business key (the task field key), found through the key index.")
        var key: String?

        @Option(help: "Only tasks whose last error (or reason for dying) contains this text.")
        var error: String?

        @Option(help: "Only tasks accepted at or after this time.")
        var createdAfter: String?
        @Option(help: "Only tasks accepted at or before this time.")
        var createdBefore: String?
        @Option(help: "Only waiting or running tasks due at or after this time.")
        var dueAfter: String?
        @Option(help: "Only waiting or running tasks due at or before this time.")
        var dueBefore: String?
        @Option(help: "Only finished tasks that finished at or after this time.")
        var finishedAfter: String?
        @Option(help: "Only finished tasks that finished at or before this time.")
        var finishedBefore: String?

        @Option(
            name: .customLong("where"),
            help:
                "Only tasks whose payload has this value at this field: FIELD=VALUE, FIELD a dotted path, VALUE JSON or text (repeatable)."
        )
        var payload: [String] = []

        @Flag(help: "The latest first (finished tasks, then waiting ones, the latest due first).")
        var newest = false

        @Option(help: "At most this many tasks (1-100000).")
        var limit = 100

        func validate() throws {
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1-100000") }
            if let queue, !Names.isValidQueueName(queue) {
                throw ValidationError("--queue must match [a-z0-9_-]{1,64}")
            }
            _ = try makeQuery(now: .earliest)
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            let page = spool.query(try makeQuery(now: spool.clock.now))
            let rows = page.tasks.map { ($0, try? spool.record(at: $0)) }
            if global.json {
                for (location, record) in rows { Output.jsonLine(List.json(location, record)) }
            } else {
                Output.table(
                    ["ID", "QUEUE", "STATE", "DUE/FINISHED", "TYPE", "ATTEMPTS", "LAST ERROR"],
                    rows.map { location, record in
                        let when = location.due ?? record?.finishedAt
                        let error = record.flatMap { $0.stateReason ?? $0.attempts.last?.error } ?? ""
                        return [
                            location.id, location.queue, location.state.rawValue, when?.rfc3339 ?? "-",
                            record?.type ?? "?", record.map { String($0.attempts.count) } ?? "?",
                            List.oneLine(error, longest: 60),
                        ]
                    }
                )
            }
            if page.more { Output.error("spoolctl: more tasks match than --limit \(limit)") }
        }

        /// The query the options describe; times relative to `now`.
        func makeQuery(now: Timestamp) throws -> TaskQuery {
            var query = TaskQuery()
            if !state.isEmpty { query.states = state }
            query.queue = queue
            query.key = key
            query.type = type
            query.errorContains = error
            query.created = TimeRange(
                from: try createdAfter.map { try parseQueryTime($0, option: "--created-after", now: now) },
                until: try createdBefore.map { try parseQueryTime($0, option: "--created-before", now: now) }
            )
            query.due = TimeRange(
                from: try dueAfter.map { try parseQueryTime($0, option: "--due-after", now: now) },
                until: try dueBefore.map { try parseQueryTime($0, option: "--due-before", now: now) }
            )
            query.finished = TimeRange(
                from: try finishedAfter.map { try parseQueryTime($0, option: "--finished-after", now: now) },
                until: try finishedBefore.map { try parseQueryTime($0, option: "--finished-before", now: now) }
            )
            query.payload = try payload.map { condition in
                switch QuerySyntax.payloadCondition(condition) {
                case .success(let match): match
                case .failure(let error): throw ValidationError("--where: \(error.reason)")
                }
            }
            query.newestFirst = newest
            query.limit = limit
            return query
        }

        /// A task as `list --json` prints it: where it is, and what its file says.
        static func json(_ location: TaskLocation, _ record: TaskRecord?) -> JSONValue {
            var members = location.json.objectValue ?? []
            if let record {
                members.append(JSONMember("type", .string(record.type)))
                members.append(JSONMember("attempts", .integer(Int64(record.attempts.count))))
                if let error = record.stateReason ?? record.attempts.last?.error {
                    members.append(JSONMember("last_error", .string(error)))
                }
                if let created = record.createdAt { members.append(JSONMember("created_at", .string(created.rfc3339))) }
                if let finished = record.finishedAt {
                    members.append(JSONMember("finished_at", .string(finished.rfc3339)))
                }
            }
            return .object(members)
        }

        /// `text` on one line, cut to `longest` characters.
        static func oneLine(_ text: String, longest: Int) -> String {
            let flat = String(text.map { $0.isNewline ? " " : $0 })
            return flat.count <= longest ? flat : String(flat.prefix(longest - 1)) + "…"
        }
    }
}

/// Parses a time for a filter (``QuerySyntax/time(_:now:)``), naming `option` when it is not one.
func parseQueryTime(_ text: String, option: String, now: Timestamp) throws -> Timestamp {
    guard let time = QuerySyntax.time(text, now: now) else {
        throw ValidationError("\(option) must be \(QuerySyntax.timeExpectation)")
    }
    return time
}
