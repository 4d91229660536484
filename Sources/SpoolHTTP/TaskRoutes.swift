import HTTPTypes
import Hummingbird
import SpoolConfig
import SpoolCore
import SpoolWatch

/// `/v1/tasks`: enqueue one or many, look one up, list with filters, wait for a result, and steer one.
enum TaskRoutes {
    /// The most tasks one batch may hold.
    static let largestBatch = 1000
    /// The most tasks one page of a listing may hold.
    static let largestPage = 1000
    /// The longest wait for a result, in seconds.
    static let longestWait: Double = 300

    static func add(to api: RouterGroup<SpoolRequestContext>, spool: Spool) {
        let coalescer = EnqueueCoalescer(spool: spool)
        api.post("tasks") { request, _ in
            let trace = try headerTrace(request)
            let body = try await request.jsonBytes(upTo: spool.configuration.maximumTaskBytes)
            let record = try await coalescer.enqueue(body, trace: trace).get()
            let state: TaskState = (record.runAt.map { $0 > spool.clock.now } ?? false) ? .scheduled : .active
            return JSONBody(.created, accepted(record.id, queue: record.queue, state: state))
        }
        api.post("tasks/batch") { request, _ in
            let trace = try headerTrace(request)
            let limit = min(spool.configuration.maximumTaskBytes * largestBatch, 64 << 20)
            let body = try await request.jsonBytes(upTo: limit)
            guard case .array(let items)? = try? JSONParser.parse(body) else {
                throw APIError.invalid("the body must be a JSON array of tasks")
            }
            guard (1...largestBatch).contains(items.count) else {
                throw APIError.invalid("a batch holds 1 to \(largestBatch) tasks, not \(items.count)")
            }
            return try await offLoop {
                let ids = try spool.enqueue(documents: items.map { JSONWriter.encode($0) }, trace: trace)
                return JSONBody(.created, .object([JSONMember("ids", .array(ids.map { .string($0) }))]))
            }
        }
        api.get("tasks") { request, _ in
            let query = try listQuery(request, now: spool.clock.now)
            return try await offLoop {
                let page = spool.query(query)
                var members = [
                    JSONMember(
                        "tasks",
                        .array(page.tasks.map { TaskView.summary($0, try? spool.record(at: $0)) })
                    ),
                    JSONMember("more", .bool(page.more)),
                ]
                if let next = page.next { members.append(JSONMember("next", .string(next.token))) }
                return JSONBody(.ok, .object(members))
            }
        }
        api.get("tasks/:id") { _, context in
            let id = try taskID(context)
            return try await offLoop {
                guard let location = spool.find(id: id) else {
                    throw SpoolError(.notFound, "no task with id \"\(id)\"")
                }
                return JSONBody(.ok, TaskView.detail(location, try spool.record(at: location)))
            }
        }
        api.get("tasks/:id/result") { request, context in
            let id = try taskID(context)
            var wait = 0.0
            if let text = try request.parameter("wait") {
                guard let seconds = DurationSyntax.seconds(text), (0...longestWait).contains(seconds) else {
                    throw APIError.invalid("wait must be a duration from 0 to 5m, such as 30s", field: "wait")
                }
                wait = seconds
            }
            let location = try await spool.waitUntilFinished(id: id, timeout: wait)
            let record = try await offLoop { try spool.record(at: location) }
            var members = [JSONMember("id", .string(id)), JSONMember("state", .string(location.state.rawValue))]
            switch location.state {
            case .done: members.append(JSONMember("result", record.result ?? .null))
            case .dead:
                members.append(
                    JSONMember("error", .string(record.stateReason ?? record.attempts.last?.error ?? "dead"))
                )
            default: break
            }
            let finished = location.state == .done || location.state == .dead
            return JSONBody(finished ? .ok : .accepted, .object(members))
        }
        api.post("tasks/:id/cancel") { _, context in
            let id = try taskID(context)
            return try await offLoop {
                switch try spool.cancel(id: id) {
                case .cancelled:
                    return JSONBody(.ok, outcome(id, "cancelled", state: .dead))
                case .requested(let worker):
                    var body = outcome(id, "cancel requested", state: .running).objectValue ?? []
                    body.append(JSONMember("worker", .string(worker)))
                    return JSONBody(.accepted, .object(body))
                }
            }
        }
        api.post("tasks/:id/retry") { _, context in
            let id = try taskID(context)
            return try await offLoop { JSONBody(.ok, outcome(id, "retried", state: try spool.retryNow(id: id))) }
        }
        api.post("tasks/:id/reschedule") { request, context in
            let id = try taskID(context)
            let body = try await request.jsonBytes(upTo: 4096)
            return try await offLoop {
                let due = try dueTime(body, now: spool.clock.now)
                try spool.reschedule(id: id, to: due)
                var members =
                    outcome(id, "rescheduled", state: due > spool.clock.now ? .scheduled : .active)
                    .objectValue ?? []
                members.append(JSONMember("run_at", .string(due.rfc3339)))
                return JSONBody(.ok, .object(members))
            }
        }
    }

    /// The W3C trace context of an enqueue request, from its `traceparent` and `tracestate` headers (several
    /// `tracestate` lines join, as the recommendation says): the trace context of each task whose body gives none.
    /// Checked as the field is; `nil` without a `traceparent`.
    static func headerTrace(_ request: Request) throws -> TaskTrace? {
        let parents = request.headers[values: HTTPField.Name("traceparent")!]
        guard let parent = parents.first else { return nil }
        guard parents.count == 1 else { throw APIError.invalid("give one traceparent header", field: "traceparent") }
        let states = request.headers[values: HTTPField.Name("tracestate")!]
        do {
            return try TaskTrace(traceparent: parent, tracestate: states.isEmpty ? nil : states.joined(separator: ","))
        } catch {
            let header = error.reason.hasPrefix("tracestate") ? "tracestate" : "traceparent"
            throw APIError.invalid("header \(error.reason)", field: header)
        }
    }

    /// The `{id, queue, state}` of an accepted task.
    static func accepted(_ id: String, queue: String, state: TaskState) -> JSONValue {
        .object([
            JSONMember("id", .string(id)), JSONMember("queue", .string(queue)),
            JSONMember("state", .string(state.rawValue)),
        ])
    }

    /// The body of a steering response.
    static func outcome(_ id: String, _ outcome: String, state: TaskState) -> JSONValue {
        .object([
            JSONMember("id", .string(id)), JSONMember("outcome", .string(outcome)),
            JSONMember("state", .string(state.rawValue)),
        ])
    }

    /// The task id of the route, checked before it names anything on disk.
    static func taskID(_ context: SpoolRequestContext) throws -> String {
        let id = try context.parameters.require("id")
        guard Names.isValidTaskID(id) else { throw APIError.invalid("id: must match [A-Za-z0-9_-]{1,64}", field: "id") }
        return id
    }

    /// The new due time a reschedule asks for: `{"run_at": "<RFC 3339>"}` or `{"delay": <seconds>}`.
    static func dueTime(_ body: [UInt8], now: Timestamp) throws(APIError) -> Timestamp {
        let expectation = #"the body must be {"run_at": "<RFC 3339>"} or {"delay": <seconds>}"#
        guard case .object(let members)? = try? JSONParser.parse(body), members.count == 1, let member = members.first
        else { throw APIError.invalid(expectation) }
        switch (member.key, member.value) {
        case ("run_at", .string(let text)):
            guard let due = Timestamp(rfc3339: text), due < TaskRecord.latestDue else {
                throw APIError.invalid(
                    "run_at: not an RFC 3339 time before \(TaskRecord.latestDue.rfc3339): \(text)",
                    field: "run_at"
                )
            }
            return due
        case ("delay", let value):
            guard let seconds = value.doubleValue, (0...TaskRecord.maximumDelay).contains(seconds) else {
                throw APIError.invalid("delay: must be a number of seconds from 0 to 100 years", field: "delay")
            }
            return now.adding(seconds: seconds)
        default:
            throw APIError.invalid(expectation)
        }
    }
}
