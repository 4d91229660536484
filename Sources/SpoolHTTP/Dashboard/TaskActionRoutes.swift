import Hummingbird
import SpoolConfig
import SpoolCore

/// `POST /dashboard/tasks/{id}/retry`, `/cancel` and `/reschedule` (a `when` field: RFC 3339, Unix seconds
/// or `+30m`): each steers the task, then leads back to its page with a message saying what happened.
enum TaskActionRoutes {
    static func add(to dashboard: RouterGroup<SpoolRequestContext>, dashboard settings: Dashboard) {
        let spool = settings.spool
        dashboard.post("tasks/:id/retry") { _, context in
            let id = try TaskRoutes.taskID(context)
            try await offLoop { _ = try spool.retryNow(id: id) }
            return settings.redirect(to: "/dashboard/tasks/\(id)", saying: "Task \(id) is due now.", context)
        }
        dashboard.post("tasks/:id/cancel") { _, context in
            let id = try TaskRoutes.taskID(context)
            let outcome = try await offLoop { try spool.cancel(id: id) }
            let message =
                switch outcome {
                case .cancelled: "Task \(id) is cancelled."
                case .requested(let worker): "Task \(id) is running: its worker \(worker) is asked to stop it."
                }
            return settings.redirect(to: "/dashboard/tasks/\(id)", saying: message, context)
        }
        dashboard.post("tasks/:id/reschedule") { request, context in
            let id = try TaskRoutes.taskID(context)
            var request = request
            let fields = try await request.formFields(upTo: settings.largestForm)
            let now = spool.clock.now
            guard let text = fields.filled("when"), let due = QuerySyntax.time(text, now: now) else {
                throw APIError.invalid("Run at: must be \(QuerySyntax.timeExpectation).", field: "when")
            }
            try await offLoop { try spool.reschedule(id: id, to: due) }
            return settings.redirect(
                to: "/dashboard/tasks/\(id)",
                saying: "Task \(id) is due at \(DashboardFormat.time(due)) UTC.",
                context
            )
        }
    }
}
