/// How tasks routed to one named handler are run, as written under `handlers:` in `spool.yaml`.
public enum HandlerSpec: Sendable, Hashable {
    /// Runs a command per task.
    case exec(ExecHandlerSpec)
    /// Fires an HTTP callback per task.
    case http(HTTPHandlerSpec)
}

/// An `exec` handler: a command run once per attempt, the payload on its standard input.
public struct ExecHandlerSpec: Sendable, Hashable {
    /// The argument vector; the first element is the program (searched in `PATH` when it has no `/`).
    /// Never passed through a shell.
    public var command: [String]
    /// Variables added to the daemon's environment (the `SPOOL_*` ones are always set and win).
    public var environment: [String: String]
    /// The working directory; `nil` keeps the daemon's.
    public var workingDirectory: String?
    /// Exit statuses meaning "try again later": the attempt is recorded and retried by backoff, or after the
    /// number of seconds the command printed as the first line of its standard output. Default `[75]`
    /// (`EX_TEMPFAIL`).
    public var retryExitCodes: [Int32]
    /// Exit statuses meaning "no retry can fix this": the task goes to `dead/`. Default `[65]` (`EX_DATAERR`).
    public var permanentExitCodes: [Int32]
    /// Seconds between SIGTERM and SIGKILL to the process group on timeout or cancellation. Default 10.
    public var killGrace: Double
    /// Bytes of standard output kept as the result, and of standard error kept as the attempt's error.
    /// Default 65536.
    public var maximumOutputBytes: Int

    /// Creates a spec; every parameter but `command` has its documented default.
    public init(
        command: [String],
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        retryExitCodes: [Int32] = [75],
        permanentExitCodes: [Int32] = [65],
        killGrace: Double = 10,
        maximumOutputBytes: Int = 65536
    ) {
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.retryExitCodes = retryExitCodes
        self.permanentExitCodes = permanentExitCodes
        self.killGrace = killGrace
        self.maximumOutputBytes = maximumOutputBytes
    }
}

/// An `http` handler: a callback fired once per attempt.
///
/// The task's own `http` object (`url`, `method`, `headers`, `body` or `form`) wins over these settings;
/// without one, the request goes to ``url`` with the task's payload as a JSON body.
public struct HTTPHandlerSpec: Sendable, Hashable {
    /// A URL template: `{id}`, `{queue}`, `{type}`, `{attempt}` and `{key}` are replaced, percent-encoded.
    /// `nil` when every task must bring its own `http.url`.
    public var url: String?
    /// The method when the task sets none. Default `POST`.
    public var method: String
    /// Headers sent with every request (a task's own headers win).
    public var headers: [String: String]
    /// Seconds allowed to connect. Default 10; never more than what is left of the attempt.
    public var connectTimeout: Double
    /// Bytes of the response body kept as the result. Default 65536.
    public var maximumResponseBytes: Int

    /// Creates a spec; every parameter has its documented default.
    public init(
        url: String? = nil,
        method: String = "POST",
        headers: [String: String] = [:],
        connectTimeout: Double = 10,
        maximumResponseBytes: Int = 65536
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.connectTimeout = connectTimeout
        self.maximumResponseBytes = maximumResponseBytes
    }
}
