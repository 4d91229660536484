import Hummingbird
import SpoolCore

/// `POST /api/task/save`: the enqueue route of the Redis time-wheel delay queues Spool replaces, so that
/// their producers switch by changing a host name. It takes their form fields, `notify_url`, `plan_time`
/// (Unix seconds; a time past runs at once), `method_name` (`get` or `post`) and `notify_param` (a query
/// string, sent as the callback's form), and enqueues an HTTP-callback task with their retry table: 5 s,
/// 15 s, 30 s, 3 min, 1 h and 2 h after each failure, seven attempts in all. It answers as they did:
/// `{"code": 0, "msg": "ok", "data": {...}}`, and `code` 1 with the reason on an error (with the API's
/// `error` object too).
enum DelayQueueRoute {
    /// The retry table: seconds before each retry.
    static let retryDelays: [Double] = [5, 15, 30, 180, 3600, 7200]
    /// The largest body accepted.
    static let largestBody = 65_536

    static func add(to router: Router<SpoolRequestContext>, spool: Spool, queue: String) {
        router.post("api/task/save") { request, _ in
            let fields: [(name: String, value: String)]
            do {
                fields = try await formFields(request)
            } catch let error as APIError {
                return answer(error)
            }
            let now = spool.clock.now
            let task: NewTask
            do {
                task = try makeTask(fields, queue: queue, now: now)
            } catch {
                return answer(error)
            }
            do {
                let id = try await offLoop { try spool.enqueue(task) }
                let data = JSONValue.object([
                    JSONMember("id", .string(id)), JSONMember("queue", .string(queue)),
                    JSONMember("run_at", .string((task.runAt ?? now).rfc3339)),
                ])
                return JSONBody(
                    .ok,
                    .object([
                        JSONMember("code", .integer(0)), JSONMember("msg", .string("ok")), JSONMember("data", data),
                    ])
                )
            } catch let error as SpoolError {
                return answer(APIError(error))
            }
        }
    }

    /// The fields of a form body (`curl -d`), or of a JSON object with the same names.
    private static func formFields(_ request: Request) async throws -> [(name: String, value: String)] {
        let bytes = try await request.bytes(upTo: largestBody)
        let type = request.headers[.contentType]?.split(separator: ";").first?.lowercased() ?? ""
        if type == "application/json" {
            guard case .object(let members)? = try? JSONParser.parse(bytes) else {
                throw APIError.invalid("the body must be a JSON object or a form")
            }
            return try members.map { member in
                switch member.value {
                case .string(let text): return (member.key, text)
                case .number(let literal) where member.key == "plan_time": return (member.key, literal)
                default: throw APIError.invalid("\(member.key): must be a string", field: member.key)
                }
            }
        }
        return FormDecoding.pairs(bytes)
    }

    /// The callback task the fields describe.
    private static func makeTask(
        _ fields: [(name: String, value: String)],
        queue: String,
        now: Timestamp
    ) throws(APIError) -> NewTask {
        func field(_ name: String) -> String? { fields.last { $0.name == name }?.value }
        guard let url = field("notify_url"), !url.isEmpty else {
            throw APIError.invalid("notify_url: required", field: "notify_url")
        }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), url.utf8.count <= 2048,
            !url.contains(where: { $0.isWhitespace })
        else {
            throw APIError.invalid(
                "notify_url: must be an http:// or https:// URL of at most 2048 bytes",
                field: "notify_url"
            )
        }
        var runAt = now
        if let text = field("plan_time"), !text.isEmpty {
            guard let seconds = Int64(text), seconds >= 0, seconds < TaskRecord.latestDue.milliseconds / 1000 else {
                throw APIError.invalid("plan_time: must be a time in Unix seconds", field: "plan_time")
            }
            runAt = max(now, Timestamp(milliseconds: seconds * 1000))
        }
        let method: String
        switch (field("method_name") ?? "post").lowercased() {
        case "get", "": method = "GET"
        case "post": method = "POST"
        case let other:
            throw APIError.invalid("method_name: must be get or post, not \(other)", field: "method_name")
        }
        let parameters = field("notify_param") ?? ""
        guard parameters.utf8.count <= 32_768 else {
            throw APIError.invalid("notify_param: at most 32768 bytes", field: "notify_param")
        }
        var form: [JSONMember] = []
        for (name, value) in FormDecoding.pairs(Array(parameters.utf8)) {
            form.removeAll { $0.key == name }
            form.append(JSONMember(name, .string(value)))
        }
        var http = [JSONMember("url", .string(url)), JSONMember("method", .string(method))]
        if !form.isEmpty { http.append(JSONMember("form", .object(form))) }
        var task = NewTask(
            queue: queue,
            type: "notify",
            payload: .object(fields.map { JSONMember($0.name, .string($0.value)) }),
            runAt: runAt
        )
        task.http = .object(http)
        task.maxAttempts = retryDelays.count + 1
        task.backoff = .table(retryDelays)
        return task
    }

    /// An error in the shape the old clients read, with the API's error object.
    private static func answer(_ error: any Error) -> JSONBody {
        let failure =
            (error as? APIError) ?? (error as? SpoolError).map(APIError.init)
            ?? APIError(.internalServerError, "internal", "the request failed on the server")
        var members = [JSONMember("code", .integer(1)), JSONMember("msg", .string(failure.message))]
        members += failure.json.objectValue ?? []
        return JSONBody(failure.status, .object(members))
    }
}
