import Hummingbird
import SpoolCore

/// `GET /dashboard/groups/{id}` (one group: its callback, its members with their outcomes) and
/// `POST /dashboard/groups/{id}/cancel`, which cancels it and leads back to its page saying what it did.
enum GroupPageRoutes {
    static func add(to group: RouterGroup<SpoolRequestContext>, dashboard: Dashboard) {
        let spool = dashboard.spool
        group.get("groups/:id") { _, context in
            let id = try TaskRoutes.taskID(context)
            let status = try await offLoop {
                do {
                    return try spool.group(id: id)
                } catch let error as SpoolError where error.code == .notFound {
                    throw SpoolError(
                        .notFound,
                        "There is no group with id \(id): it never was, or it finished and its retention passed."
                    )
                }
            }
            let page = GroupPage(status: status, csrf: context.session?.formToken ?? "")
            return DashboardTemplates.page("group", page, frame: dashboard.frame("Group \(id)", nil, context))
        }
        group.post("groups/:id/cancel") { _, context in
            let id = try TaskRoutes.taskID(context)
            let report = try await offLoop { try spool.cancel(group: id) }
            var message = "Group \(id) is cancelled: \(report.cancelled) waiting members cancelled"
            if report.requested > 0 { message += ", \(report.requested) running asked to stop" }
            message += report.callbackCancelled ? "; its callback will not run." : "."
            return dashboard.redirect(to: "/dashboard/groups/\(id)", saying: message, context)
        }
    }
}
