import Hummingbird
import Mustache
import NIOCore

/// The dashboard's Mustache templates, kept in the binary, and the rendering of a whole page. Every `{{value}}`
/// is HTML-escaped; the only unescaped values (`{{{…}}}`) are the page's own rendered content and the SVG
/// charts drawn by ``SVGChart``, which escapes their text.
enum DashboardTemplates {
    /// Each template by name, parsed once.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let templates = [
            ("layout", layout), ("error", error), ("login", login), ("overview", overview), ("taskList", taskList),
            ("task", task), ("group", group), ("enqueue", enqueue), ("cron", cron), ("rejected", rejected),
        ]
        for (name, text) in templates {
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("dashboard template \(name): \(error)")
            }
        }
        return library
    }()

    /// The page of `template` filled from `model` (its stored properties by name), in the layout.
    static func page(_ template: String, _ model: Any, frame: PageFrame, status: HTTPResponse.Status = .ok) -> HTMLPage
    {
        let content = library.render(model, withTemplate: template) ?? ""
        let html = library.render(LayoutModel(frame: frame, content: content), withTemplate: "layout") ?? ""
        return HTMLPage(status: status, html: html)
    }
}

/// What the layout shows around a page: its title, the sections (once logged in), the logout button and
/// the message an action left.
struct PageFrame {
    /// The page's title.
    var title: String
    /// The section of the bar the page belongs to.
    var section: DashboardSection?
    /// The session, when logged in.
    var session: DashboardSession?
    /// Whether the bar offers to log out (not when the API is open: there is no login).
    var canLogOut = true
    /// A message for the page: what the last action did.
    var flash: String?
}

/// The sections in the dashboard's bar.
enum DashboardSection: String, CaseIterable {
    case overview = "Overview"
    case tasks = "Tasks"
    case failed = "Failed"
    case enqueue = "Enqueue"
    case cron = "Cron"
    case rejected = "Rejected"

    /// Where the section's page is.
    var href: String {
        switch self {
        case .overview: "/dashboard"
        case .tasks: "/dashboard/tasks"
        case .failed: "/dashboard/tasks?state=dead&order=newest"
        case .enqueue: "/dashboard/enqueue"
        case .cron: "/dashboard/cron"
        case .rejected: "/dashboard/rejected"
        }
    }
}

/// The values the layout template reads.
private struct LayoutModel {
    struct Link {
        let href: String
        let label: String
        let current: Bool
    }

    let title: String
    let hasNav: Bool
    let nav: [Link]
    let logout: Bool
    let user: String
    let csrf: String
    let flash: String?
    let content: String

    init(frame: PageFrame, content: String) {
        title = frame.title
        hasNav = frame.session != nil
        nav = DashboardSection.allCases.map { Link(href: $0.href, label: $0.rawValue, current: $0 == frame.section) }
        logout = frame.session != nil && frame.canLogOut
        user = frame.session?.user ?? ""
        csrf = frame.session?.formToken ?? ""
        flash = frame.flash
        self.content = content
    }
}

/// A page of HTML.
struct HTMLPage: ResponseGenerator {
    var status: HTTPResponse.Status
    var html: String
    /// Headers besides the content type (a cookie, `Retry-After`).
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
