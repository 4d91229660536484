import Hummingbird
import SpoolConfig
import SpoolCore

extension TaskRoutes {
    /// The listing a request's query string asks for, with the filters of `spoolctl list`: `state`
    /// (repeated or comma-separated), `queue`, `type`, `key`, `error`, `created_after`/`_before`,
    /// `due_after`/`_before`, `finished_after`/`_before` (RFC 3339, Unix seconds, `2h` ago or `+30m`
    /// ahead), `where` (`FIELD=VALUE`, repeated), `order` (`oldest` or `newest`), `limit` (1-1000, 50 by
    /// default) and `cursor` (the `next` of the previous page).
    static func listQuery(_ request: Request, now: Timestamp) throws -> TaskQuery {
        let known: Set<String> = [
            "state", "queue", "type", "key", "error", "created_after", "created_before", "due_after", "due_before",
            "finished_after", "finished_before", "where", "order", "limit", "cursor",
        ]
        for (name, _) in request.uri.queryParameters where !known.contains(String(name)) {
            throw APIError.invalid("unknown parameter \(name)", field: String(name))
        }
        var query = TaskQuery()
        let states = request.uri.queryParameters[values: "state"].flatMap {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        if !states.isEmpty {
            query.states = try states.map { name in
                guard let state = TaskState(rawValue: String(name)) else {
                    throw APIError.invalid(
                        "state: \(name) is not one of scheduled, active, running, done, dead",
                        field: "state"
                    )
                }
                return state
            }
        }
        if let queue = try request.parameter("queue") {
            guard Names.isValidQueueName(queue) else {
                throw APIError.invalid("queue: must match [a-z0-9_-]{1,64}", field: "queue")
            }
            query.queue = queue
        }
        query.type = try bounded(request.parameter("type"), "type")
        query.key = try bounded(request.parameter("key"), "key")
        query.errorContains = try bounded(request.parameter("error"), "error")
        query.created = TimeRange(
            from: try time(request, "created_after", now: now),
            until: try time(request, "created_before", now: now)
        )
        query.due = TimeRange(
            from: try time(request, "due_after", now: now),
            until: try time(request, "due_before", now: now)
        )
        query.finished = TimeRange(
            from: try time(request, "finished_after", now: now),
            until: try time(request, "finished_before", now: now)
        )
        query.payload = try request.uri.queryParameters[values: "where"].map { condition in
            switch QuerySyntax.payloadCondition(String(condition)) {
            case .success(let match): match
            case .failure(let error): throw APIError.invalid("where: \(error.reason)", field: "where")
            }
        }
        switch try request.parameter("order") {
        case nil, "oldest": break
        case "newest": query.newestFirst = true
        case let other?: throw APIError.invalid("order: must be oldest or newest, not \(other)", field: "order")
        }
        query.limit = try request.integer("limit", in: 1...largestPage) ?? 50
        if let token = try request.parameter("cursor") {
            guard let cursor = QueryCursor(token: token), cursor.newestFirst == query.newestFirst else {
                throw APIError.invalid("cursor: not the next of a listing in this order", field: "cursor")
            }
            query.after = cursor
        }
        return query
    }

    /// A text filter, at most 256 characters.
    private static func bounded(_ text: String?, _ name: String) throws -> String? {
        guard let text else { return nil }
        guard !text.isEmpty, text.count <= 256 else {
            throw APIError.invalid("\(name): must be 1 to 256 characters", field: name)
        }
        return text
    }

    /// The time filter `name`, if given.
    private static func time(_ request: Request, _ name: String, now: Timestamp) throws -> Timestamp? {
        guard let text = try request.parameter(name) else { return nil }
        guard text.utf8.count <= 64, let time = QuerySyntax.time(text, now: now) else {
            throw APIError.invalid("\(name): must be \(QuerySyntax.timeExpectation)", field: name)
        }
        return time
    }
}
