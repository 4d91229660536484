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
        try listQuery(request.query, now: now)
    }

    /// The listing the query `parameters` ask for, as above.
    static func listQuery(_ parameters: QueryParameters, now: Timestamp) throws -> TaskQuery {
        let known: Set<String> = [
            "state", "queue", "type", "key", "error", "created_after", "created_before", "due_after", "due_before",
            "finished_after", "finished_before", "where", "order", "limit", "cursor",
        ]
        for name in parameters.names where !known.contains(name) {
            throw APIError.invalid("unknown parameter \(name)", field: name)
        }
        var query = TaskQuery()
        let states = parameters.values("state").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
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
        if let queue = try parameters.parameter("queue") {
            guard Names.isValidQueueName(queue) else {
                throw APIError.invalid("queue: must match [a-z0-9_-]{1,64}", field: "queue")
            }
            query.queue = queue
        }
        query.type = try bounded(parameters.parameter("type"), "type")
        query.key = try bounded(parameters.parameter("key"), "key")
        query.errorContains = try bounded(parameters.parameter("error"), "error")
        query.created = TimeRange(
            from: try time(parameters, "created_after", now: now),
            until: try time(parameters, "created_before", now: now)
        )
        query.due = TimeRange(
            from: try time(parameters, "due_after", now: now),
            until: try time(parameters, "due_before", now: now)
        )
        query.finished = TimeRange(
            from: try time(parameters, "finished_after", now: now),
            until: try time(parameters, "finished_before", now: now)
        )
        query.payload = try parameters.values("where").map { condition in
            switch QuerySyntax.payloadCondition(condition) {
            case .success(let match): match
            case .failure(let error): throw APIError.invalid("where: \(error.reason)", field: "where")
            }
        }
        switch try parameters.parameter("order") {
        case nil, "oldest": break
        case "newest": query.newestFirst = true
        case let other?: throw APIError.invalid("order: must be oldest or newest, not \(other)", field: "order")
        }
        query.limit = try parameters.integer("limit", in: 1...largestPage) ?? 50
        if let token = try parameters.parameter("cursor") {
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
    private static func time(_ parameters: QueryParameters, _ name: String, now: Timestamp) throws -> Timestamp? {
        guard let text = try parameters.parameter(name) else { return nil }
        guard text.utf8.count <= 64, let time = QuerySyntax.time(text, now: now) else {
            throw APIError.invalid("\(name): must be \(QuerySyntax.timeExpectation)", field: name)
        }
        return time
    }
}

/// The parameters of a query string, by name, in order.
struct QueryParameters {
    private let pairs: [(name: String, value: String)]

    /// The parameters `pairs`.
    init(_ pairs: [(String, String)]) {
        self.pairs = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// The names given, each once.
    var names: [String] {
        var seen = Set<String>()
        return pairs.map(\.name).filter { seen.insert($0).inserted }
    }

    /// Every value of `name`.
    func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    /// The value of `name`, when given once; 400 when given several times.
    func parameter(_ name: String) throws -> String? {
        let values = values(name)
        guard values.count <= 1 else { throw APIError.invalid("\(name) is given more than once", field: name) }
        return values.first
    }

    /// The value of `name` as an integer in `range`, when given; 400 naming it otherwise.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try parameter(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.invalid(
                "\(name): must be a number from \(range.lowerBound) to \(range.upperBound)",
                field: name
            )
        }
        return value
    }
}
