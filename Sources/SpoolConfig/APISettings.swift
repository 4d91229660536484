/// Where the HTTP API listens and who may use it, from the `api` section of `spool.yaml`.
public struct APISettings: Sendable, Hashable {
    /// The address to bind: a host name or an IP address. Default `127.0.0.1`, this host only.
    public var host: String
    /// The TCP port. Default 8470.
    public var port: Int
    /// Who may call the API.
    public var access: APIAccess
    /// The queue of the callback tasks that `POST /api/task/save` (the delay-queue route) enqueues.
    /// Default `notify`.
    public var delayQueue: String

    /// Creates settings; every parameter has its documented default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8470,
        access: APIAccess = APIAccess(),
        delayQueue: String = "notify"
    ) {
        self.host = host
        self.port = port
        self.access = access
        self.delayQueue = delayQueue
    }

    /// Whether `host` names this machine's loopback interface only.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1"
            || host.hasPrefix("127.")
                && host.split(separator: ".", omittingEmptySubsequences: false).count == 4
    }

    /// Why the API must not start with these settings, in one line; `nil` when it may. An API without
    /// tokens or dashboard users must be opened explicitly, and only on a loopback address.
    public var accessProblem: String? {
        if access.open {
            return isLoopback
                ? nil
                : "api.auth.open is allowed only on a loopback address (127.0.0.1, ::1 or localhost), not \(host):"
                    + " give api.auth.tokens or api.auth.users instead"
        }
        return access.tokens.isEmpty && access.users.isEmpty
            ? "the HTTP API on \(host):\(port) has no auth: give api.auth.tokens (or api.auth.token_file),"
                + " api.auth.users (or api.auth.users_file), or api.auth.open: true on a loopback address"
            : nil
    }
}

/// Who may call the HTTP API and use the dashboard: the holders of a token, the users who log in, or anyone
/// who can reach a loopback address.
public struct APIAccess: Sendable, Hashable {
    /// The tokens a request may present as `Authorization: Bearer <token>`.
    public var tokens: [String]
    /// The dashboard's users: each name with the bcrypt hash of its password (`$2a$`, `$2b$` or `$2y$`).
    public var users: [String: String]
    /// Whether every request is served without a token or a login; allowed on a loopback address only.
    public var open: Bool
    /// When the dashboard's session cookie is marked `Secure`.
    public var secureCookies: CookieSecurity

    /// Creates access settings: by default no token, no user and not open, which the daemon refuses to
    /// serve; cookies `Secure` when the request came over HTTPS.
    public init(
        tokens: [String] = [],
        users: [String: String] = [:],
        open: Bool = false,
        secureCookies: CookieSecurity = .auto
    ) {
        self.tokens = tokens
        self.users = users
        self.open = open
        self.secureCookies = secureCookies
    }

    /// The shortest token accepted.
    public static let shortestToken = 16
}

/// When the dashboard marks its session cookie `Secure` (sent back over HTTPS only): `api.auth.secure_cookies`.
public enum CookieSecurity: String, Sendable, Hashable, CaseIterable {
    /// Always: the dashboard is reached over HTTPS only, through a proxy that ends TLS.
    case always = "true"
    /// Never: the dashboard is reached over plain HTTP (on this host, or a trusted network).
    case never = "false"
    /// When the request came over HTTPS: a proxy on a loopback address says so with
    /// `X-Forwarded-Proto: https` (spoold itself serves plain HTTP).
    case auto
}
