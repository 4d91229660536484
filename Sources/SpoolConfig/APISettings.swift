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
    /// tokens must be opened explicitly, and only on a loopback address.
    public var accessProblem: String? {
        if access.open {
            return isLoopback
                ? nil
                : "api.auth.open is allowed only on a loopback address (127.0.0.1, ::1 or localhost), not \(host):"
                    + " give api.auth.tokens instead"
        }
        return access.tokens.isEmpty
            ? "the HTTP API on \(host):\(port) has no auth: give api.auth.tokens (or api.auth.token_file), or"
                + " api.auth.open: true on a loopback address"
            : nil
    }
}

/// Who may call the HTTP API: the holders of a token, or anyone who can reach a loopback address.
public struct APIAccess: Sendable, Hashable {
    /// The tokens a request may present as `Authorization: Bearer <token>`.
    public var tokens: [String]
    /// Whether every request is served without a token; allowed on a loopback address only.
    public var open: Bool

    /// Creates access settings: by default no token and not open, which the daemon refuses to serve.
    public init(tokens: [String] = [], open: Bool = false) {
        self.tokens = tokens
        self.open = open
    }

    /// The shortest token accepted.
    public static let shortestToken = 16
}
