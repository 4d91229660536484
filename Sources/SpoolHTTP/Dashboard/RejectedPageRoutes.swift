import Hummingbird
import SpoolCore

/// `GET /dashboard/rejected`, the newest drops in `rejected/` with their reasons, and
/// `POST /dashboard/rejected/resubmit` (a `name` field), which ingests one again.
enum RejectedPageRoutes {
    /// Files shown.
    static let shown = 100

    static func add(to group: RouterGroup<SpoolRequestContext>, dashboard: Dashboard) {
        let spool = dashboard.spool
        group.get("rejected") { _, context in
            let (files, more) = try await offLoop { spool.rejectedFiles(limit: shown) }
            let page = RejectedPage(files: files, more: more, csrf: context.session?.formToken ?? "")
            return DashboardTemplates.page("rejected", page, frame: dashboard.frame("Rejected", .rejected, context))
        }
        group.post("rejected/resubmit") { request, context in
            var request = request
            let fields = try await request.formFields(upTo: dashboard.largestForm)
            guard let name = fields["name"], RejectedRoutes.isRejectedFileName(name) else {
                throw APIError.invalid("name: not the name of a file in rejected/", field: "name")
            }
            let message =
                switch try await offLoop({ try spool.resubmitRejected(name) }) {
                case .accepted(let id, let queue): "\(name) is task \(id) in queue \(queue)."
                case .rejected(_, let reason): "\(name) was rejected again: \(reason)"
                case .skipped: "\(name) was taken by the daemon meanwhile."
                }
            return dashboard.redirect(to: "/dashboard/rejected", saying: message, context)
        }
    }
}

/// What the rejected page shows.
struct RejectedPage {
    struct File {
        let name: String
        let reason: String
        let size: Int64
        let rejectedAt: String
    }

    let files: [File]
    let hasFiles: Bool
    let more: Bool
    let shown: Int
    let csrf: String

    init(files: [RejectedFile], more: Bool, csrf: String) {
        self.files = files.map {
            File(
                name: $0.name,
                reason: $0.reason ?? "",
                size: $0.size,
                rejectedAt: DashboardFormat.time($0.changed)
            )
        }
        hasFiles = !files.isEmpty
        self.more = more
        shown = files.count
        self.csrf = csrf
    }
}
