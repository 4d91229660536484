import HTTPTypes
import Hummingbird
import SpoolConfig

/// Logging in and out of the dashboard.
///
/// The login form is protected against forgery before any session exists by a token of its own, in a
/// hidden field and in a cookie sent back only to the login route: another site can make a browser post
/// the form, but cannot read the cookie to put its value in the field. Failed logins count against the
/// peer in the ``FailedAttemptLimiter`` the API's tokens use: too many, and the form answers 429 with
/// `Retry-After` until the window ends.
enum LoginRoutes {
    /// Where the login form is.
    static let loginPath = "/dashboard/login"
    /// The largest login form accepted.
    static let largestForm = 8192

    static func add(to group: RouterGroup<SpoolRequestContext>, dashboard: Dashboard) {
        group.get("login") { request, context in
            let session = request.cookies[SessionCookie.session].flatMap { dashboard.sessions.session(id: $0.value) }
            if dashboard.access.open || session != nil {
                return try redirect(to: local(try request.parameter("next")) ?? "/dashboard")
            }
            return try form(request, context, dashboard, next: try request.parameter("next"))
        }
        group.post("login") { request, context in
            var request = request
            let peer = context.peer ?? "unknown"
            let fields = try await request.formFields(upTo: largestForm)
            let next = fields["next"]
            if let wait = dashboard.limiter.wait(for: peer) {
                var page = try form(
                    request,
                    context,
                    dashboard,
                    next: next,
                    problem: "Too many failed logins from \(peer): try again in \(wait) s.",
                    status: .tooManyRequests
                )
                page.headers[.retryAfter] = "\(wait)"
                return page
            }
            guard let token = fields["csrf"], let expected = request.cookies[SessionCookie.loginForm]?.value,
                !expected.isEmpty, constantTimeEquals(token.utf8, expected.utf8)
            else {
                return try form(
                    request,
                    context,
                    dashboard,
                    next: next,
                    problem: "The login form had expired: log in again.",
                    status: .forbidden
                )
            }
            let user = fields["user"] ?? ""
            let password = fields["password"] ?? ""
            let passwords = dashboard.passwords
            guard try await offLoop({ passwords.verify(user: user, password: password) }) else {
                dashboard.limiter.recordFailure(of: peer)
                return try form(
                    request,
                    context,
                    dashboard,
                    next: next,
                    user: user,
                    problem: "Wrong user name or password.",
                    status: .unauthorized
                )
            }
            let session = dashboard.sessions.start(user: user)
            let secure = SessionCookie.isSecure(request, peer: context.peer, setting: dashboard.access.secureCookies)
            var response = try redirect(to: local(next) ?? "/dashboard")
            response.setCookie(SessionCookie.session(session.id, secure: secure))
            response.setCookie(SessionCookie.expired(SessionCookie.loginForm, path: loginPath, secure: secure))
            return response
        }
        group.post("logout") { request, context in
            if let session = context.session { dashboard.sessions.end(id: session.id) }
            let secure = SessionCookie.isSecure(request, peer: context.peer, setting: dashboard.access.secureCookies)
            var response = try redirect(to: loginPath)
            response.setCookie(SessionCookie.expired(SessionCookie.session, path: "/", secure: secure))
            return response
        }
    }

    /// The login form with a new token (also set as its cookie).
    private static func form(
        _ request: Request,
        _ context: SpoolRequestContext,
        _ dashboard: Dashboard,
        next: String?,
        user: String = "",
        problem: String? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let token = SessionStore.randomToken()
        let model = LoginPage(
            csrf: token,
            next: local(next) ?? "/dashboard",
            user: user,
            problem: problem,
            noUsers: dashboard.passwords.users.isEmpty
        )
        var response = try DashboardTemplates.page("login", model, frame: PageFrame(title: "Log in"), status: status)
            .response(from: request, context: context)
        let secure = SessionCookie.isSecure(request, peer: context.peer, setting: dashboard.access.secureCookies)
        response.setCookie(SessionCookie.loginForm(token, secure: secure))
        return response
    }

    /// `target` when it is a page of the dashboard to go to after logging in, so that a link to the login
    /// form cannot send the browser elsewhere; `nil` otherwise.
    static func local(_ target: String?) -> String? {
        guard let target, Dashboard.serves(target), target != "/", !target.contains("//"), !target.contains("\\"),
            !target.contains("/.."), target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return nil }
        return target
    }

    private static func redirect(to location: String) throws -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

/// What the login form shows.
private struct LoginPage {
    /// The form's token.
    let csrf: String
    /// Where to go once logged in.
    let next: String
    /// The name typed last time.
    let user: String
    /// Why the last try failed.
    let problem: String?
    /// Whether no user is configured (only tokens).
    let noUsers: Bool
}
