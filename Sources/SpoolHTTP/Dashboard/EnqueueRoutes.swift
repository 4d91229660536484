import Hummingbird
import SpoolConfig
import SpoolCore

/// `GET /dashboard/enqueue`, a form for one task, and `POST /dashboard/enqueue`, which makes it a task
/// document as `POST /v1/tasks` takes one and enqueues it: then the task's page; the form again with the
/// reason when the spool refuses it.
enum EnqueueRoutes {
    static func add(to group: RouterGroup<SpoolRequestContext>, dashboard: Dashboard) {
        group.get("enqueue") { _, context in
            let form = EnqueueForm(csrf: context.session?.formToken ?? "")
            return DashboardTemplates.page("enqueue", form, frame: dashboard.frame("Enqueue", .enqueue, context))
        }
        group.post("enqueue") { request, context -> Response in
            var request = request
            let fields = try await request.formFields(upTo: dashboard.largestForm)
            var form = EnqueueForm(fields, csrf: context.session?.formToken ?? "")
            let spool = dashboard.spool
            do {
                let document = try form.document(now: spool.clock.now)
                let id = try await offLoop { try spool.enqueue(json: JSONWriter.encode(document)).id }
                return dashboard.redirect(to: "/dashboard/tasks/\(id)", saying: "Task \(id) is enqueued.", context)
            } catch let error as APIError {
                form.problem = error.message
            } catch let error as SpoolError where error.code == .invalidArgument || error.code == .alreadyExists {
                form.problem = error.message
            }
            return try DashboardTemplates.page(
                "enqueue",
                form,
                frame: dashboard.frame("Enqueue", .enqueue, context),
                status: .badRequest
            ).response(from: request, context: context)
        }
    }
}

/// The enqueue form's fields, as shown and as sent.
struct EnqueueForm {
    var queue = "default"
    var type = ""
    var payload = "{}"
    var key = ""
    var when = ""
    var maxAttempts = ""
    var problem: String?
    let csrf: String

    /// An empty form.
    init(csrf: String) {
        self.csrf = csrf
    }

    /// The form as sent in `fields`.
    init(_ fields: FormFields, csrf: String) {
        queue = fields.filled("queue") ?? ""
        type = fields.filled("type") ?? ""
        payload = fields["payload"] ?? ""
        key = fields.filled("key") ?? ""
        when = fields.filled("when") ?? ""
        maxAttempts = fields.filled("max_attempts") ?? ""
        self.csrf = csrf
    }

    /// The task document the form describes; the spool checks the rest when it takes it.
    ///
    /// - Throws: ``APIError`` naming the field that cannot be read.
    func document(now: Timestamp) throws -> JSONValue {
        var members = [JSONMember("queue", .string(queue)), JSONMember("type", .string(type))]
        let payloadText = payload.allSatisfy(\.isWhitespace) ? "null" : payload
        do {
            members.append(JSONMember("payload", try JSONParser.parse(Array(payloadText.utf8))))
        } catch {
            throw APIError.invalid("Payload: not JSON: \(error)", field: "payload")
        }
        if !key.isEmpty { members.append(JSONMember("key", .string(key))) }
        if !when.isEmpty {
            guard let due = QuerySyntax.time(when, now: now) else {
                throw APIError.invalid("Run at: must be \(QuerySyntax.timeExpectation).", field: "when")
            }
            members.append(JSONMember("run_at", .string(due.rfc3339)))
        }
        if !maxAttempts.isEmpty {
            guard let attempts = Int(maxAttempts) else {
                throw APIError.invalid("Attempts: must be a whole number.", field: "max_attempts")
            }
            members.append(JSONMember("max_attempts", .integer(Int64(attempts))))
        }
        return .object(members)
    }
}
