/// How much is flushed to the device, and when.
///
/// See `docs/FORMAT.md` for what each level keeps after a power loss.
public struct Durability: Sendable, Hashable, CustomStringConvertible {
    /// The level's name, as written in configuration.
    public let name: String
    let syncsEnqueue: Bool
    let syncsRewrites: Bool
    let syncsMoves: Bool

    public var description: String { name }

    /// Every change is flushed: file and folder on enqueue, file on rewrite, folders on every move.
    /// A finished task never runs again after a power loss.
    public static let full = Durability(name: "full", syncsEnqueue: true, syncsRewrites: true, syncsMoves: true)

    /// The default. Enqueue returns only once file and folder are on the device; rewrites flush the file
    /// before renaming it over the old one; moves are not flushed, so a power loss may repeat an attempt
    /// but never loses a task.
    public static let enqueue = Durability(name: "enqueue", syncsEnqueue: true, syncsRewrites: true, syncsMoves: false)

    /// Nothing is flushed; the kernel writes back in its own time. A power loss may lose recent tasks or
    /// leave them empty (they are then moved to `rejected/`). A process crash loses nothing.
    public static let none = Durability(name: "none", syncsEnqueue: false, syncsRewrites: false, syncsMoves: false)

    /// All levels, strongest first.
    public static let all: [Durability] = [.full, .enqueue, .none]

    /// The level with this name, if any.
    public init?(name: String) {
        guard let level = Durability.all.first(where: { $0.name == name }) else { return nil }
        self = level
    }

    private init(name: String, syncsEnqueue: Bool, syncsRewrites: Bool, syncsMoves: Bool) {
        self.name = name
        self.syncsEnqueue = syncsEnqueue
        self.syncsRewrites = syncsRewrites
        self.syncsMoves = syncsMoves
    }
}

/// Settings of a spool that apply to every process opening it.
public struct SpoolConfiguration: Sendable {
    /// What is flushed to the device, and when. Default ``Durability/enqueue``.
    public var durability: Durability
    /// Largest task file accepted, in bytes. Default 1 MiB.
    public var maximumTaskBytes: Int
    /// Attempts when a task sets no `max_attempts`. Default 25.
    public var defaultMaxAttempts: Int
    /// Backoff when a task sets none. Default ``Backoff/standard``.
    public var defaultBackoff: Backoff
    /// Seconds an attempt may run when a task sets no `timeout`. Default 1800.
    public var defaultTimeout: Double
    /// Seconds a lease lasts without a heartbeat; a worker renews it every third of that. Default 60.
    public var leaseDuration: Double
    /// Seconds a succeeded task stays in `done/` when it sets no `retention`. Default 7 days.
    public var doneRetention: Double
    /// Seconds a dead task stays in `dead/` when it sets no `retention`. Default 30 days.
    public var deadRetention: Double
    /// Seconds after which a staging file of a running process is taken for garbage. Default 1 hour.
    public var stagingTimeout: Double
    /// Retention by queue, for tasks that set none: `done` and `dead` seconds, each falling back to
    /// ``doneRetention`` and ``deadRetention`` when unset.
    public var queueRetention: [String: (done: Double?, dead: Double?)] = [:]
    /// The most tasks kept in `dead/` per queue; the janitor deletes the oldest beyond it. `nil`: no limit.
    public var deadLimit: Int?
    /// ``deadLimit`` by queue, where it differs.
    public var queueDeadLimits: [String: Int] = [:]

    /// Creates a configuration; every parameter has its documented default.
    public init(
        durability: Durability = .enqueue,
        maximumTaskBytes: Int = 1 << 20,
        defaultMaxAttempts: Int = 25,
        defaultBackoff: Backoff = .standard,
        defaultTimeout: Double = 1800,
        leaseDuration: Double = 60,
        doneRetention: Double = 7 * 86400,
        deadRetention: Double = 30 * 86400,
        stagingTimeout: Double = 3600
    ) {
        self.durability = durability
        self.maximumTaskBytes = maximumTaskBytes
        self.defaultMaxAttempts = defaultMaxAttempts
        self.defaultBackoff = defaultBackoff
        self.defaultTimeout = defaultTimeout
        self.leaseDuration = leaseDuration
        self.doneRetention = doneRetention
        self.deadRetention = deadRetention
        self.stagingTimeout = stagingTimeout
    }

    /// Seconds a task of `queue` that sets no `retention` stays in `done/` (`succeeded`) or `dead/`.
    public func retention(of queue: String, succeeded: Bool) -> Double {
        let configured = queueRetention[queue]
        return succeeded ? configured?.done ?? doneRetention : configured?.dead ?? deadRetention
    }

    /// The most tasks kept in `dead/<queue>/`, or `nil` for no limit.
    public func deadLimit(of queue: String) -> Int? { queueDeadLimits[queue] ?? deadLimit }
}
