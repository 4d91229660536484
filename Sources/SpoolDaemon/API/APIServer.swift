import Hummingbird
import Logging
import ServiceLifecycle
import SpoolConfig
import SpoolCore

/// The HTTP API: enqueue, look up tasks, counts, and pause or resume queues, as JSON.
///
/// | Route | |
/// |---|---|
/// | `GET /v1/health` | `{"status":"ok"}` |
/// | `POST /v1/tasks` | enqueue a task-file JSON document; 201 with `{"id","queue","state"}`, 400 invalid, 409 id in use |
/// | `GET /v1/tasks/{id}` | where the task is and its content; 404 unknown |
/// | `GET /v1/tasks?key=K` | where each task with business key `K` is, from the key index |
/// | `POST /v1/tasks/{id}/cancel` | cancel a task; 200 ended, 202 asked of its worker, 404, 409 finished |
/// | `POST /v1/tasks/{id}/retry` | run a scheduled or dead task now; 409 in another state |
/// | `POST /v1/tasks/{id}/reschedule` | `{"run_at": "<RFC 3339>"}` or `{"delay": s}`: a pending task's new due time |
/// | `GET /v1/stats` | counts by queue and state, paused queues |
/// | `POST /v1/queues/{queue}/pause`, `/resume` | pause or resume a queue |
/// | `GET /v1/cron?next=N` | every cron entry with its next `N` ticks (default 1) and its last tick's task |
/// | `POST /v1/cron` | store an entry in the spool (`?replace=true` to replace); 201, 400 invalid, 409 exists |
/// | `DELETE /v1/cron/{name}` | remove an entry stored in the spool; 404 unknown |
/// | `POST /v1/cron/{name}/pause`, `/resume` | pause or resume an entry |
enum APIServer {
    /// The server as a service for a `ServiceGroup`; `configuredCron` gives the cron entries of the
    /// configuration as it is now (a reload changes them).
    static func make(
        spool: Spool,
        settings: APISettings,
        configuredCron: @escaping @Sendable () -> [CronEntry],
        logger: Logger
    ) -> some Service {
        ListeningService(
            application: application(spool: spool, settings: settings, configuredCron: configuredCron, logger: logger),
            address: "\(settings.host):\(settings.port)"
        )
    }

    private static func application(
        spool: Spool,
        settings: APISettings,
        configuredCron: @escaping @Sendable () -> [CronEntry],
        logger: Logger
    ) -> some Service {
        let router = Router()
        let api = router.group("v1")
        addCronRoutes(to: api, spool: spool, configured: configuredCron)
        api.get("health") { _, _ in JSONResponse(.ok, .object([JSONMember("status", .string("ok"))])) }
        api.post("tasks") { request, _ in
            let body = try await request.body.collect(upTo: spool.configuration.maximumTaskBytes + 1)
            return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                let record = try spool.enqueue(json: Array(body.readableBytesView))
                let state = (record.runAt.map { $0 > spool.clock.now } ?? false) ? TaskState.scheduled : .active
                return (
                    .created,
                    .object([
                        JSONMember("id", .string(record.id)), JSONMember("queue", .string(record.queue)),
                        JSONMember("state", .string(state.rawValue)),
                    ])
                )
            })
        }
        api.get("tasks") { request, _ in
            JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                guard let key = request.uri.queryParameters["key"].map(String.init), !key.isEmpty,
                    key.count <= 256
                else {
                    throw SpoolError(.invalidArgument, "GET /v1/tasks needs ?key=<the business key, 1-256 characters>")
                }
                return (.ok, .array(spool.tasks(withKey: key).map(\.json)))
            })
        }
        api.get("tasks/:id") { _, context in
            let id = try context.parameters.require("id")
            return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                guard let location = spool.find(id: id) else {
                    throw SpoolError(.notFound, "no task with id \"\(id)\"")
                }
                var members = location.json.objectValue ?? []
                members.append(JSONMember("task", try spool.record(at: location).json))
                return (.ok, .object(members))
            })
        }
        api.post("tasks/:id/cancel") { _, context in
            let id = try context.parameters.require("id")
            return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                switch try spool.cancel(id: id) {
                case .cancelled:
                    return (.ok, APIServer.outcome(id, "cancelled", state: .dead))
                case .requested(let worker):
                    var body = APIServer.outcome(id, "cancel requested", state: .running).objectValue ?? []
                    body.append(JSONMember("worker", .string(worker)))
                    return (.accepted, .object(body))
                }
            })
        }
        api.post("tasks/:id/retry") { _, context in
            let id = try context.parameters.require("id")
            return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                (.ok, APIServer.outcome(id, "retried", state: try spool.retryNow(id: id)))
            })
        }
        api.post("tasks/:id/reschedule") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.body.collect(upTo: 4096)
            return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                let due = try APIServer.dueTime(Array(body.readableBytesView), now: spool.clock.now)
                try spool.reschedule(id: id, to: due)
                let state: TaskState = due > spool.clock.now ? .scheduled : .active
                var members = APIServer.outcome(id, "rescheduled", state: state).objectValue ?? []
                members.append(JSONMember("run_at", .string(due.rfc3339)))
                return (.ok, .object(members))
            })
        }
        api.get("stats") { _, _ in JSONResponse(.ok, spool.stats().json) }
        api.post("queues/:queue/pause") { _, context in
            let queue = try context.parameters.require("queue")
            return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                try spool.pause(queue)
                return (.ok, .object([JSONMember("queue", .string(queue)), JSONMember("paused", .bool(true))]))
            })
        }
        api.post("queues/:queue/resume") { _, context in
            let queue = try context.parameters.require("queue")
            return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                try spool.resume(queue)
                return (.ok, .object([JSONMember("queue", .string(queue)), JSONMember("paused", .bool(false))]))
            })
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port)),
            logger: logger
        )
    }
}

extension APIServer {
    /// The body of a steering response.
    static func outcome(_ id: String, _ outcome: String, state: TaskState) -> JSONValue {
        .object([
            JSONMember("id", .string(id)), JSONMember("outcome", .string(outcome)),
            JSONMember("state", .string(state.rawValue)),
        ])
    }

    /// The new due time a reschedule asks for: `{"run_at": "<RFC 3339>"}` or `{"delay": <seconds>}`.
    static func dueTime(_ body: [UInt8], now: Timestamp) throws(SpoolError) -> Timestamp {
        guard case .object(let members)? = try? JSONParser.parse(body), members.count == 1, let member = members.first
        else {
            throw SpoolError(.invalidArgument, #"the body must be {"run_at": "<RFC 3339>"} or {"delay": <seconds>}"#)
        }
        switch (member.key, member.value) {
        case ("run_at", .string(let text)):
            guard let due = Timestamp(rfc3339: text) else {
                throw SpoolError(.invalidArgument, "run_at: not an RFC 3339 time: \(text)")
            }
            return due
        case ("delay", let value):
            guard let seconds = value.doubleValue, (0...TaskRecord.maximumDelay).contains(seconds) else {
                throw SpoolError(.invalidArgument, "delay: must be a number of seconds from 0 to 100 years")
            }
            return now.adding(seconds: seconds)
        default:
            throw SpoolError(.invalidArgument, #"the body must be {"run_at": "<RFC 3339>"} or {"delay": <seconds>}"#)
        }
    }
}

/// A JSON response; a ``SpoolError`` becomes `{"error": message}` with the status its code calls for.
struct JSONResponse: ResponseGenerator {
    let status: HTTPResponse.Status
    let body: JSONValue

    init(_ status: HTTPResponse.Status, _ body: JSONValue) {
        self.status = status
        self.body = body
    }

    init(result: () throws(SpoolError) -> (HTTPResponse.Status, JSONValue)) {
        do {
            (status, body) = try result()
        } catch {
            status = JSONResponse.status(for: error.code)
            body = .object([JSONMember("error", .string(error.message))])
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.encode(body) + [UInt8(ascii: "\n")]))
        )
    }

    private static func status(for code: SpoolError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidArgument: .badRequest
        case .notFound: .notFound
        case .alreadyExists, .wrongState: .conflict
        case .noSpace: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        default: .internalServerError
        }
    }
}

/// The HTTP server, whose failure to start names the address it could not listen on (the port is in use,
/// say), rather than only the system call that failed.
private struct ListeningService<Server: Service>: Service {
    let application: Server
    let address: String

    func run() async throws {
        do {
            try await application.run()
        } catch {
            throw ListenError(address: address, underlying: error)
        }
    }
}

/// The API server stopped with an error: most often, it could not listen on its address.
struct ListenError: Error, CustomStringConvertible {
    var address: String
    var underlying: any Error

    var description: String { "HTTP API on \(address): \(underlying)" }
}
