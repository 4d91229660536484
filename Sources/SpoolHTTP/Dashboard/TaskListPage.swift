import SpoolCore

/// What a listing of tasks shows: the filters as sent (to fill the form again), a row per task, and the
/// links to the first and the next page.
struct TaskListPage {
    /// An option of a `<select>`.
    struct Option {
        let value: String
        let label: String
        let selected: Bool
    }

    /// The text filters, as typed.
    struct Filters {
        var queue, type, key, error: String?
        var createdAfter, createdBefore, dueAfter, dueBefore, finishedAfter, finishedBefore: String?
    }

    /// One task.
    struct Row {
        let id: String
        let href: String
        let state: String
        let queue: String
        let type: String
        let attempts: String
        let lastError: String
        let when: String
    }

    var heading = "Tasks"
    let states: [Option]
    let orders: [Option]
    let filters: Filters
    /// Whether a filter on times is set: their part of the form is shown open.
    let moreFilters: Bool
    var rows: [Row] = []
    var hasRows = false
    var problem: String?
    var firstHref: String?
    var nextHref: String?
    /// Whether only dead tasks are listed (the bar's "Failed" section).
    let isFailedOnly: Bool

    /// The longest error shown in a row; the task's page shows it whole.
    static let longestError = 160

    /// A listing for the query `parameters` (those with a value), before its tasks are found.
    init(_ parameters: [(name: String, value: String)]) {
        func value(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
        let state = value("state")
        states =
            [Option(value: "", label: "any", selected: state == nil)]
            + TaskState.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == state) }
        let order = value("order")
        orders = [
            Option(value: "oldest", label: "earliest first", selected: order != "newest"),
            Option(value: "newest", label: "latest first", selected: order == "newest"),
        ]
        filters = Filters(
            queue: value("queue"),
            type: value("type"),
            key: value("key"),
            error: value("error"),
            createdAfter: value("created_after"),
            createdBefore: value("created_before"),
            dueAfter: value("due_after"),
            dueBefore: value("due_before"),
            finishedAfter: value("finished_after"),
            finishedBefore: value("finished_before")
        )
        moreFilters =
            [
                filters.createdAfter, filters.createdBefore, filters.dueAfter, filters.dueBefore,
                filters.finishedAfter, filters.finishedBefore,
            ].contains { $0 != nil }
        isFailedOnly = state == TaskState.dead.rawValue
        if let state { heading = state.prefix(1).uppercased() + state.dropFirst() + " tasks" }
        if let queue = filters.queue { heading += " in \(queue)" }
    }

    /// Shows the tasks `page` found, with their `records` (`nil` for one that moved on meanwhile).
    mutating func show(_ page: TaskPage, records: [TaskRecord?], parameters: [(name: String, value: String)]) {
        rows = zip(page.tasks, records).map { location, record in
            let error = record.flatMap { $0.stateReason ?? $0.attempts.last?.error } ?? ""
            let when = record?.finishedAt ?? location.due
            return Row(
                id: location.id,
                href: "/dashboard/tasks/\(location.id)",
                state: location.state.rawValue,
                queue: location.queue,
                type: record?.type ?? "",
                attempts: record.map { "\($0.attempts.count)" } ?? "",
                lastError: error.count > Self.longestError ? String(error.prefix(Self.longestError)) + "…" : error,
                when: when.map(DashboardFormat.time) ?? ""
            )
        }
        hasRows = !rows.isEmpty
        let kept = parameters.filter { $0.name != "cursor" }.map { (name: $0.name, value: Optional($0.value)) }
        if parameters.contains(where: { $0.name == "cursor" }) {
            firstHref = FormEncoding.link("/dashboard/tasks", kept)
        }
        if let next = page.next {
            nextHref = FormEncoding.link("/dashboard/tasks", kept + [("cursor", next.token)])
        }
    }
}
