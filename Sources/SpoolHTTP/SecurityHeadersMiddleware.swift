import HTTPTypes
import Hummingbird

/// Adds the headers that keep a browser from misusing a response: no framing, no content sniffing, no
/// script or style from elsewhere, no referrer sent to another site, and no caching of a task's data.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none';"
            + " base-uri 'none'; form-action 'self'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        // Not `no-referrer`: under it a browser sends `Origin: null` with the dashboard's own forms, which
        // the cross-site guard must refuse as it refuses a sandboxed page's.
        response.headers[.referrerPolicy] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
