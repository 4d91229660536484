/// How an engine watches a spool, which of its jobs it does, how many tasks it runs at once and in what
/// order it serves its queues.
public struct EngineConfiguration: Sendable {
    /// How arrivals are noticed.
    public enum WatchMode: String, Sendable, Hashable, CaseIterable {
        /// inotify: arrivals are acted on within milliseconds. Sees changes made on this host only.
        case inotify
        /// Rescans every ``EngineConfiguration/pollInterval``: for network filesystems shared by several hosts.
        case poll
    }

    /// The jobs an engine does; several engines on one spool may split them.
    public struct Roles: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Ingests drops from `incoming/` and promotes scheduled tasks when due.
        public static let scheduling = Roles(rawValue: 1)
        /// Claims and runs tasks from `active/`.
        public static let working = Roles(rawValue: 2)
        /// Recovers expired leases and staging files, and purges by retention.
        public static let maintenance = Roles(rawValue: 4)

        /// Every job.
        public static let all: Roles = [.scheduling, .working, .maintenance]
    }

    /// How a free worker slot picks the queue to claim from.
    public enum QueueOrder: String, Sendable, Hashable, CaseIterable {
        /// The queue with the highest weight that has a task waiting always goes first.
        case strict
        /// A queue with tasks waiting is picked at random in proportion to its weight.
        case weighted
    }

    /// How arrivals are noticed. Default ``WatchMode/inotify``.
    public var watchMode: WatchMode
    /// Seconds between rescans in ``WatchMode/poll`` mode. Default 1.
    public var pollInterval: Double
    /// Seconds between janitor passes. Default 10.
    public var janitorInterval: Double
    /// The jobs this engine does. Default ``Roles/all``.
    public var roles: Roles
    /// Tasks run at once across all queues. Default 16.
    public var workerConcurrency: Int
    /// Tasks run at once per queue, by queue name; others use ``defaultConcurrency``.
    public var concurrency: [String: Int]
    /// Tasks run at once in a queue not named in ``concurrency``. Default 4.
    public var defaultConcurrency: Int
    /// How free slots are shared between queues. Default ``QueueOrder/weighted``.
    public var queueOrder: QueueOrder
    /// Each queue's weight (its priority under ``QueueOrder/strict``); others weigh 1.
    public var weights: [String: Int]
    /// Seconds running tasks may take to finish after a shutdown begins, before they are handed back.
    /// Default 30.
    public var shutdownGrace: Double
    /// How many of the oldest names a worker keeps from one listing of `active/<queue>/`, which reads the
    /// whole folder. Default 32,768 (about 3 MB).
    public var claimWindow: Int
    /// Cron entries from the configuration, fired by an engine with the ``Roles/scheduling`` role, besides
    /// those kept in the spool.
    public var cron: [CronEntry]
    /// Claims a second, by queue, across every process on the spool that honours them.
    public var rateLimits: [String: RateLimit] = [:]

    /// Creates a configuration; every parameter has its documented default.
    public init(
        watchMode: WatchMode = .inotify,
        pollInterval: Double = 1,
        janitorInterval: Double = 10,
        roles: Roles = .all,
        workerConcurrency: Int = 16,
        concurrency: [String: Int] = [:],
        defaultConcurrency: Int = 4,
        queueOrder: QueueOrder = .weighted,
        weights: [String: Int] = [:],
        shutdownGrace: Double = 30,
        claimWindow: Int = 32768,
        cron: [CronEntry] = []
    ) {
        self.watchMode = watchMode
        self.pollInterval = pollInterval
        self.janitorInterval = janitorInterval
        self.roles = roles
        self.workerConcurrency = workerConcurrency
        self.concurrency = concurrency
        self.defaultConcurrency = defaultConcurrency
        self.queueOrder = queueOrder
        self.weights = weights
        self.shutdownGrace = shutdownGrace
        self.claimWindow = claimWindow
        self.cron = cron
    }

    /// Tasks run at once in `queue`.
    public func concurrency(of queue: String) -> Int { max(concurrency[queue] ?? defaultConcurrency, 1) }

    /// The weight of `queue`.
    public func weight(of queue: String) -> Int { max(weights[queue] ?? 1, 1) }
}
