import Hummingbird
import SpoolConfig
import SpoolCore

/// The web dashboard under `/dashboard`: HTML pages rendered on the server, forms that post back, one
/// small script for live updates. Who may see it: a user who logged in (``LoginRoutes``), or anyone when
/// the API is configured open on a loopback address.
///
/// | Route | |
/// |---|---|
/// | `GET /dashboard/login`, `POST /dashboard/login`, `POST /dashboard/logout` | log in and out |
/// | `GET /dashboard` | the overview: counts by state and queue, charts, pause and resume |
/// | `GET /dashboard/tasks` | tasks by state with the filters of `spoolctl list`, page by page |
/// | `GET /dashboard/tasks/{id}` | one task: payload, attempts with errors, result, actions |
/// | `POST /dashboard/tasks/{id}/retry`, `/cancel`, `/reschedule` | steer it |
/// | `GET /dashboard/groups/{id}`; `POST /dashboard/groups/{id}/cancel` | one group: members, callback; cancel it |
/// | `GET`, `POST /dashboard/enqueue` | enqueue a task from a form |
/// | `POST /dashboard/queues/{queue}/pause`, `/resume` | pause or resume a queue |
/// | `GET /dashboard/cron`; `POST /dashboard/cron/{name}/pause`, `/resume` | cron entries, next fires |
/// | `GET /dashboard/rejected`; `POST /dashboard/rejected/resubmit` | rejected drops |
/// | `GET /dashboard/assets/dashboard.css`, `/dashboard.js` | the stylesheet and the script |
///
/// Every POST but the login's carries the session's form token (``SessionAuthenticator``), and answers
/// with a redirect to a page that shows what it did.
struct Dashboard: Sendable {
    let spool: Spool
    let access: APIAccess
    let sessions: SessionStore
    let passwords: PasswordCheck
    let limiter: FailedAttemptLimiter
    let history: StatsHistory
    let configuredCron: @Sendable () -> [CronEntry]

    /// The largest form accepted: a task's payload, escaped, and the other fields.
    var largestForm: Int { spool.configuration.maximumTaskBytes * 3 + 65_536 }

    /// Whether `path` belongs to the dashboard (or is `/`, which leads to it).
    static func serves(_ path: String) -> Bool {
        path == "/" || path == "/dashboard" || path.hasPrefix("/dashboard/")
    }

    /// Adds the dashboard's routes to `router`, and `GET /`, which leads to the overview.
    func add(to router: Router<SpoolRequestContext>) {
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/dashboard"]) }
        let group = router.group("dashboard")
            .add(middleware: DashboardErrorPages())
            .add(middleware: SessionAuthenticator(dashboard: self))
        DashboardAssets.add(to: group)
        LoginRoutes.add(to: group, dashboard: self)
        OverviewRoutes.add(to: group, dashboard: self)
        TaskPageRoutes.add(to: group, dashboard: self)
        TaskActionRoutes.add(to: group, dashboard: self)
        GroupPageRoutes.add(to: group, dashboard: self)
        EnqueueRoutes.add(to: group, dashboard: self)
        CronPageRoutes.add(to: group, dashboard: self)
        RejectedPageRoutes.add(to: group, dashboard: self)
    }

    /// The frame of a page of `section` for the request's session, with the message an action left.
    func frame(_ title: String, _ section: DashboardSection?, _ context: SpoolRequestContext) -> PageFrame {
        PageFrame(
            title: title,
            section: section,
            session: context.session,
            canLogOut: !access.open,
            flash: context.session.flatMap { sessions.takeFlash(for: $0.id) }
        )
    }

    /// A redirect to `location` after an action, leaving `message` for the page it leads to.
    func redirect(to location: String, saying message: String, _ context: SpoolRequestContext) -> Response {
        if let session = context.session { sessions.setFlash(message, for: session.id) }
        return Response(status: .seeOther, headers: [.location: location])
    }
}
