import Hummingbird
import SpoolCore

/// `GET /dashboard`: the overview, from the latest sample of the spool's counts (never counted for the
/// request, but for the first one before any sample) and the paused queues as they are now; and
/// `POST /dashboard/queues/{queue}/pause|resume`.
enum OverviewRoutes {
    static func add(to group: RouterGroup<SpoolRequestContext>, dashboard: Dashboard) {
        group.get { _, context in
            let history = dashboard.history
            let spool = dashboard.spool
            let stats: SpoolStats
            if let latest = history.latest {
                stats = latest
            } else {
                stats = try await offLoop { spool.stats() }
                history.record(stats)
            }
            let paused = try await offLoop { try spool.pausedQueues() }
            let model = OverviewPage(
                stats: stats,
                paused: paused,
                history: history,
                csrf: context.session?.formToken ?? ""
            )
            return DashboardTemplates.page("overview", model, frame: dashboard.frame("Overview", .overview, context))
        }
        for (action, paused) in [("pause", true), ("resume", false)] {
            group.post("queues/:queue/\(action)") { _, context in
                let queue = try context.parameters.require("queue")
                guard Names.isValidQueueName(queue) else {
                    throw APIError.invalid("queue: must match [a-z0-9_-]{1,64}", field: "queue")
                }
                let spool = dashboard.spool
                try await offLoop { if paused { try spool.pause(queue) } else { try spool.resume(queue) } }
                return dashboard.redirect(to: "/dashboard", saying: "Queue \(queue) \(action)d.", context)
            }
        }
    }
}

/// What the overview shows.
struct OverviewPage {
    struct StateTotal {
        let state: String
        let count: Int
        let href: String
    }

    struct QueueRow {
        struct Count {
            let state: String
            let count: Int
            let href: String
        }

        let name: String
        let href: String
        let paused: Bool
        let counts: [Count]
        let oldestWait: String
        let doneLastHour: Int
        let deadLastHour: Int
        let action: String
    }

    struct Chart {
        let title: String
        let svg: String
        let caption: String
    }

    let countedAt: String
    let totals: [StateTotal]
    let stateNames: [String]
    let hasQueues: Bool
    let queues: [QueueRow]
    let incoming: Int
    let rejected: Int
    let charts: [Chart]
    let historyNote: String
    let csrf: String

    /// The overview of `stats`, with `paused` queues (as they are now, not as sampled) and the charts of
    /// `history`.
    init(stats: SpoolStats, paused: Set<String>, history: StatsHistory, csrf: String) {
        countedAt = DashboardFormat.clock(stats.now)
        let points = history.points
        totals = TaskState.allCases.map { state in
            StateTotal(
                state: state.rawValue,
                count: stats.queues.reduce(0) { $0 + $1[state] },
                href: FormEncoding.link("/dashboard/tasks", [("state", state.rawValue)])
            )
        }
        stateNames = TaskState.allCases.map(\.rawValue)
        // A paused queue holding no task is listed too, to be resumed.
        let counted = Dictionary(stats.queues.map { ($0.queue, $0) }, uniquingKeysWith: { first, _ in first })
        queues = Set(counted.keys).union(paused).sorted().map { name in
            let queue = counted[name]
            return QueueRow(
                name: name,
                href: FormEncoding.link("/dashboard/tasks", [("queue", name)]),
                paused: paused.contains(name),
                counts: TaskState.allCases.map { state in
                    QueueRow.Count(
                        state: state.rawValue,
                        count: queue?[state] ?? 0,
                        href: FormEncoding.link("/dashboard/tasks", [("state", state.rawValue), ("queue", name)])
                    )
                },
                oldestWait: queue?.oldestDue.map {
                    DashboardFormat.duration(max(Double(stats.now.milliseconds - $0.milliseconds) / 1000, 0))
                } ?? "none",
                doneLastHour: queue?.doneLastHour ?? 0,
                deadLastHour: queue?.deadLastHour ?? 0,
                action: paused.contains(name) ? "resume" : "pause"
            )
        }
        hasQueues = !queues.isEmpty
        incoming = stats.incoming
        rejected = stats.rejected
        charts = Self.charts(points)
        let span = DashboardFormat.duration(Double(points.count) * StatsSampler.interval)
        historyNote =
            "The charts show the history since this server started, up to the last "
            + "\(DashboardFormat.duration(Double(history.capacity) * StatsSampler.interval)): one point per sample of the counts, "
            + "every \(DashboardFormat.duration(StatsSampler.interval)) (\(points.count) so far, \(span))."
        self.csrf = csrf
    }

    private static func charts(_ points: [StatsHistory.Point]) -> [Chart] {
        [
            Chart(
                title: "Throughput",
                svg: SVGChart(
                    title: "Tasks finished per minute",
                    values: points.map { ($0.time, $0.finishedPerMinute) },
                    style: .bars,
                    tone: "throughput",
                    format: DashboardFormat.amount
                ).svg,
                caption: "Tasks finished (done or dead) per minute."
            ),
            Chart(
                title: "Failures",
                svg: SVGChart(
                    title: "Tasks that died per minute",
                    values: points.map { ($0.time, $0.diedPerMinute) },
                    style: .bars,
                    tone: "failures",
                    format: DashboardFormat.amount
                ).svg,
                caption: "Tasks that died per minute: attempts spent, a permanent error, a deadline, cancelled."
            ),
            Chart(
                title: "Lateness",
                svg: SVGChart(
                    title: "Oldest wait for a worker",
                    values: points.map { ($0.time, $0.oldestWait) },
                    style: .line,
                    tone: "lateness",
                    format: DashboardFormat.duration,
                    minimumScale: 10
                ).svg,
                caption: "How long the oldest due task had waited for a worker (paused queues left out)."
            ),
        ]
    }
}
