import Hummingbird
import SpoolConfig

/// Lets a request through when it carries one of the configured tokens as `Authorization: Bearer
/// <token>`, or when the API is configured open; answers 401 otherwise, and 429 to a peer that failed
/// too often (``FailedAttemptLimiter``). The health routes are open to all; the dashboard's routes ask for
/// a login instead (``SessionAuthenticator``).
struct TokenAuthenticator<Context: RequestContext & PeerAddressed>: RouterMiddleware {
    let access: APIAccess
    let limiter: FailedAttemptLimiter
    /// Paths served without a token.
    static var openPaths: Set<String> { ["/healthz", "/readyz", "/v1/health"] }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if access.open || Self.openPaths.contains(request.uri.path) || Dashboard.serves(request.uri.path) {
            return try await next(request, context)
        }
        let peer = context.peer ?? "unknown"
        if let wait = limiter.wait(for: peer) {
            throw HTTPError(
                .tooManyRequests,
                headers: [.retryAfter: "\(wait)"],
                message: "too many failed attempts from \(peer): try again in \(wait) s"
            )
        }
        guard let header = request.headers[.authorization] else {
            throw HTTPError(
                .unauthorized,
                headers: [.wwwAuthenticate: #"Bearer realm="spool""#],
                message: "this API needs a token: Authorization: Bearer <token>"
            )
        }
        guard header.hasPrefix("Bearer "), Self.matches(Array(header.utf8.dropFirst(7)), any: access.tokens) else {
            limiter.recordFailure(of: peer)
            throw HTTPError(
                .unauthorized,
                headers: [.wwwAuthenticate: #"Bearer realm="spool", error="invalid_token""#],
                message: "the token is not valid"
            )
        }
        return try await next(request, context)
    }

    /// Whether `given` equals one of `tokens`, each compared in full (``constantTimeEquals(_:_:)``).
    static func matches(_ given: [UInt8], any tokens: [String]) -> Bool {
        tokens.reduce(false) { found, token in constantTimeEquals(given, token.utf8) || found }
    }
}

/// A request context that knows the peer's address.
protocol PeerAddressed {
    /// The peer's IP address, when known.
    var peer: String? { get }
}

extension SpoolRequestContext: PeerAddressed {}
