/// How an engine watches a spool, how often its janitor runs, and how many tasks it runs at once.
public struct EngineConfiguration: Sendable {
    /// How arrivals are noticed.
    public enum WatchMode: String, Sendable, Hashable, CaseIterable {
        /// inotify: arrivals are acted on within milliseconds. Sees changes made on this host only.
        case inotify
        /// Rescans every ``EngineConfiguration/pollInterval``: for network filesystems shared by several hosts.
        case poll
    }

    /// How arrivals are noticed. Default ``WatchMode/inotify``.
    public var watchMode: WatchMode
    /// Seconds between rescans in ``WatchMode/poll`` mode. Default 1.
    public var pollInterval: Double
    /// Seconds between janitor passes. Default 10.
    public var janitorInterval: Double
    /// Tasks run at once per queue, by queue name; others use ``defaultConcurrency``.
    public var concurrency: [String: Int]
    /// Tasks run at once in a queue not named in ``concurrency``. Default 4.
    public var defaultConcurrency: Int
    /// How many of the oldest names a worker keeps from one listing of `active/<queue>/`. Default 512.
    public var claimWindow: Int

    /// Creates a configuration; every parameter has its documented default.
    public init(
        watchMode: WatchMode = .inotify,
        pollInterval: Double = 1,
        janitorInterval: Double = 10,
        concurrency: [String: Int] = [:],
        defaultConcurrency: Int = 4,
        claimWindow: Int = 512
    ) {
        self.watchMode = watchMode
        self.pollInterval = pollInterval
        self.janitorInterval = janitorInterval
        self.concurrency = concurrency
        self.defaultConcurrency = defaultConcurrency
        self.claimWindow = claimWindow
    }
}
