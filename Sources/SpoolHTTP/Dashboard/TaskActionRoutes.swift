import Hummingbird
import SpoolConfig
import SpoolCore

/// `POST /dashboard/tasks/{id}/retry`, `/cancel` and `/reschedule` (a `when` field: RFC 3339, Unix seconds
/// or `+30m`): each steers the task, then leads back to its page with a message saying what happened.
enum TaskActionRoutes {
    static func add(to group: RouterGroup<SpoolRequestContext>, dashboard: Dashboard) {
        let spool = dashboard.spool
        group.post("tasks/:id/retry") { _, context in
            let id = try TaskRoutes.taskID(context)
            try await offLoop { _ = try spool.retryNow(id: id) }
            return dashboard.redirect(to: "/dashboard/tasks/\(id)", saying: "Task \(id) is due now.", context)
        }
        group.post("tasks/:id/cancel") { _, context in
            let id = try TaskRoutes.taskID(context)
            let outcome = try await offLoop { try spool.cancel(id: id) }
            let message =
                switch outcome {
                case .cancelled: "Task \(id) is cancelled."
                case .requested(let worker): "Task \(id) is running: its worker \(worker) is asked to stop it."
                }
            return dashboard.redirect(to: "/dashboard/tasks/\(id)", saying: message, context)
        }
        group.post("tasks/:id/reschedule") { request, context in
            let id = try TaskRoutes.taskID(context)
            var request = request
            let fields = try await request.formFields(upTo: dashboard.largestForm)
            let now = spool.clock.now
            guard let text = fields.filled("when"), let due = QuerySyntax.time(text, now: now) else {
                throw APIError.invalid("Run at: must be \(QuerySyntax.timeExpectation).", field: "when")
            }
            try await offLoop { try spool.reschedule(id: id, to: due) }
            return dashboard.redirect(
                to: "/dashboard/tasks/\(id)",
                saying: "Task \(id) is due at \(DashboardFormat.time(due)) UTC.",
                context
            )
        }
    }
}
