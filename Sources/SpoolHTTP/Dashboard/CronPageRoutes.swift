import Hummingbird
import SpoolCore
import SpoolCron

/// `GET /dashboard/cron`, every cron entry with its next fires and its last tick's task, and
/// `POST /dashboard/cron/{name}/pause|resume`.
enum CronPageRoutes {
    /// Next fires shown per entry.
    static let nextFires = 3

    static func add(to group: RouterGroup<SpoolRequestContext>, dashboard: Dashboard) {
        let spool = dashboard.spool
        group.get("cron") { _, context in
            let status = try await offLoop {
                spool.cronStatus(configured: dashboard.configuredCron(), now: spool.clock.now, count: nextFires)
            }
            let page = CronPage(status.entries, problems: status.problems, csrf: context.session?.formToken ?? "")
            return DashboardTemplates.page("cron", page, frame: dashboard.frame("Cron", .cron, context))
        }
        for (action, paused) in [("pause", true), ("resume", false)] {
            group.post("cron/:name/\(action)") { _, context in
                let name = try context.parameters.require("name")
                guard CronEntry.isValidName(name) else {
                    throw APIError.invalid("name: not a cron entry name", field: "name")
                }
                try await offLoop { if paused { try spool.pauseCron(name) } else { try spool.resumeCron(name) } }
                return dashboard.redirect(to: "/dashboard/cron", saying: "Cron entry \(name) \(action)d.", context)
            }
        }
    }
}

/// What the cron page shows.
struct CronPage {
    struct Entry {
        struct Last {
            let tick: String
            let state: String
            let href: String
        }

        let name: String
        let source: String
        let paused: Bool
        let spec: String
        let timeZone: String
        let task: String
        let problem: String?
        let next: [String]
        let last: Last?
        let action: String
    }

    let entries: [Entry]
    let hasEntries: Bool
    let problems: [String]
    let csrf: String

    init(_ statuses: [CronEntryStatus], problems: [String], csrf: String) {
        entries = statuses.map { status in
            let task = status.entry.task
            let type = task.first { $0.key == "type" }?.value.stringValue ?? "?"
            let queue = task.first { $0.key == "queue" }?.value.stringValue ?? "default"
            return Entry(
                name: status.entry.name,
                source: status.source == .config ? "from spool.yaml" : "kept in the spool",
                paused: status.paused,
                spec: status.entry.spec,
                timeZone: status.entry.timeZone,
                task: "\(type) in \(queue)",
                problem: status.problem,
                next: status.next.map(DashboardFormat.time),
                last: status.last.map {
                    Entry.Last(tick: DashboardFormat.time($0.tick), state: $0.state, href: "/dashboard/tasks/\($0.id)")
                },
                action: status.paused ? "resume" : "pause"
            )
        }
        hasEntries = !entries.isEmpty
        self.problems = problems
        self.csrf = csrf
    }
}
