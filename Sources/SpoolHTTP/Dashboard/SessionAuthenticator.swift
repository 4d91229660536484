import Hummingbird
import SpoolConfig

/// Lets a dashboard request through only with a live session: a page asked for without one leads to the
/// login form, which leads back to it; a form posted without one is refused. When the API is configured
/// open, a browser without a session is given one. A POST must carry the session's form token in its
/// `csrf` field, so that no other site can make a logged-in browser act (the ``CrossSiteGuard`` before
/// this checks the browser's own word on where the request comes from). The login form and the assets are
/// served to all.
struct SessionAuthenticator: RouterMiddleware {
    typealias Context = SpoolRequestContext

    let dashboard: Dashboard

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if path == LoginRoutes.loginPath || DashboardAssets.isAsset(path) { return try await next(request, context) }
        var context = context
        var started: DashboardSession?
        if let id = request.cookies[SessionCookie.session]?.value, let session = dashboard.sessions.session(id: id) {
            context.session = session
        } else if dashboard.access.open {
            started = dashboard.sessions.start(user: "open")
            context.session = started
        }
        guard let session = context.session else {
            if request.method == .get || request.method == .head {
                let next = LoginRoutes.local(request.uri.description) ?? "/dashboard"
                return Response(
                    status: .seeOther,
                    headers: [.location: "\(LoginRoutes.loginPath)?next=\(FormEncoding.escaped(next))"]
                )
            }
            throw APIError(.unauthorized, "unauthorized", "log in first: your session has ended")
        }
        var request = request
        if request.method == .post {
            let form = try await request.formFields(upTo: dashboard.largestForm)
            guard let token = form["csrf"], constantTimeEquals(token.utf8, session.formToken.utf8) else {
                throw APIError(.forbidden, "csrf", "the form is not from this session: load the page again")
            }
        }
        var response = try await next(request, context)
        if let started {
            let secure = SessionCookie.isSecure(request, peer: context.peer, setting: dashboard.access.secureCookies)
            response.setCookie(SessionCookie.session(started.id, secure: secure))
        }
        return response
    }
}
