import Hummingbird
import SpoolCore

/// `GET /dashboard/tasks` (a listing with the filters of `spoolctl list`, a page at a time by cursor) and
/// `GET /dashboard/tasks/{id}` (one task, with the chain it is in).
enum TaskPageRoutes {
    /// Tasks on one page of a listing.
    static let pageSize = 50

    static func add(to group: RouterGroup<SpoolRequestContext>, dashboard: Dashboard) {
        group.get("tasks") { request, context in
            let spool = dashboard.spool
            // A form sends every field, the empty ones too, with `+` for a space.
            let parameters = FormDecoding.pairs((request.uri.query ?? "").utf8).filter { !$0.value.isEmpty }
            var page = TaskListPage(parameters)
            let status: HTTPResponse.Status
            do {
                var query = try TaskRoutes.listQuery(
                    QueryParameters(parameters.map { ($0.name, $0.value) }),
                    now: spool.clock.now
                )
                query.limit = pageSize
                let asked = query
                let found = try await offLoop {
                    let found = spool.query(asked)
                    return (tasks: found, records: found.tasks.map { try? spool.record(at: $0) })
                }
                page.show(found.tasks, records: found.records, parameters: parameters)
                status = .ok
            } catch let error as APIError {
                page.problem = error.message
                status = error.status
            }
            return DashboardTemplates.page(
                "taskList",
                page,
                frame: dashboard.frame(page.heading, page.isFailedOnly ? .failed : .tasks, context),
                status: status
            )
        }
        group.get("tasks/:id") { _, context in
            let id = try TaskRoutes.taskID(context)
            let spool = dashboard.spool
            let (location, record, chain) = try await offLoop {
                guard let location = spool.find(id: id) else {
                    throw SpoolError(.notFound, "There is no task with id \(id): it never was, or it was purged.")
                }
                let record = try spool.record(at: location)
                return (location, record, ChainSection(of: record, in: spool))
            }
            let page = TaskDetailPage(
                location: location,
                record: record,
                chain: chain,
                csrf: context.session?.formToken ?? ""
            )
            return DashboardTemplates.page("task", page, frame: dashboard.frame("Task \(id)", nil, context))
        }
    }
}
