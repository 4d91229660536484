import HTTPTypes
import Hummingbird

/// Refuses a request that would change something when a browser says it comes from another site: a form
/// or a `text/plain` POST that a foreign page makes a logged-in (or loopback) browser send. Programs that
/// send no `Origin` nor `Sec-Fetch-Site` (curl, client libraries) are not concerned.
struct CrossSiteGuard<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if request.method == .get || request.method == .head || request.method == .options {
            return try await next(request, context)
        }
        if let site = request.headers[.secFetchSite], site != "same-origin", site != "none" {
            throw APIError(.forbidden, "cross_site", "a request from another site (\(site)) may not change anything")
        }
        if let origin = request.headers[.origin], !Self.origin(origin, isOf: request.head.authority) {
            throw APIError(.forbidden, "cross_site", "a request from origin \(origin) may not change anything")
        }
        return try await next(request, context)
    }

    /// Whether `origin` (`scheme://host[:port]`) names the host the request was sent to.
    static func origin(_ origin: String, isOf authority: String?) -> Bool {
        guard let authority, let separator = origin.firstRange(of: "://") else { return false }
        let scheme = origin[..<separator.lowerBound]
        var host = origin[separator.upperBound...]
        guard scheme == "http" || scheme == "https", !host.contains("/") else { return false }
        if !authority.contains(":") || authority.hasSuffix("]") {
            // The Host header left the default port out.
            let port = scheme == "https" ? ":443" : ":80"
            if host.hasSuffix(port) { host = host.dropLast(port.count) }
        }
        return host.lowercased() == authority.lowercased()
    }
}
