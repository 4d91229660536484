internal import SpoolCore

extension Backoff {
    /// The strategies `retry` may set, exactly one of which it must.
    static let strategyKeys = ["table", "exponential", "tiers"]

    /// Reads a `retry` section: exactly one of `table`, `exponential` or `tiers`, with the limits a task's own
    /// `backoff` has (1 to 100 table entries, 1 to 20 tiers, a factor from 1 to 1000).
    init(config node: ConfigNode) throws(ConfigProblem) {
        let retry = try node.mapping(allowedKeys: Self.strategyKeys)
        guard let entry = retry.entries.first else {
            throw node.problem("must set one of \(listing(Self.strategyKeys, conjunction: "or"))")
        }
        if retry.entries.count > 1 {
            let names = listing(retry.entries.map(\.key), conjunction: "and")
            throw ConfigProblem(
                mark: retry.entries[1].keyMark,
                reason: "\(node.name): must set only one of table, exponential or tiers, not \(names)"
            )
        }
        switch entry.key {
        case "table": self = try Self.table(entry.value)
        case "exponential": self = try Self.exponential(entry.value)
        default: self = try Self.tiers(entry.value)
        }
    }

    /// `table: [5s, 15s, 30s]`: the delays after the 1st, 2nd, ... failure; the last one repeats.
    private static func table(_ node: ConfigNode) throws(ConfigProblem) -> Backoff {
        let entries = try node.sequence()
        guard (1...100).contains(entries.count) else {
            throw node.problem("must list 1 to 100 durations, not \(entries.count)")
        }
        var delays: [Double] = []
        for entry in entries {
            delays.append(try entry.duration(allowingZero: true))
        }
        return .table(delays)
    }

    /// `exponential: {initial: 5s, factor: 2, max: 1h, jitter: 0.2}`, each key defaulting to ``standard``'s.
    private static func exponential(_ node: ConfigNode) throws(ConfigProblem) -> Backoff {
        let settings = try node.mapping(allowedKeys: ["initial", "factor", "max", "jitter"])
        let initial = try settings["initial"]?.duration() ?? 5
        let factor = try settings["factor"]?.number(in: 1...1000) ?? 2
        let maximum = try settings["max"]?.duration() ?? max(3600, initial)
        if maximum < initial, let node = settings["max"] {
            throw node.mismatch("a duration of at least initial (\(DurationSyntax.format(initial)))")
        }
        let jitter = try settings["jitter"]?.number(in: 0...1) ?? 0.2
        return .exponential(initial: initial, factor: factor, max: maximum, jitter: jitter)
    }

    /// `tiers: [{every: 3m, for: 1h}, ...]`: retry windows one after the other.
    private static func tiers(_ node: ConfigNode) throws(ConfigProblem) -> Backoff {
        let entries = try node.sequence()
        guard (1...20).contains(entries.count) else {
            throw node.problem("must list 1 to 20 tiers, not \(entries.count)")
        }
        var tiers: [BackoffTier] = []
        for entry in entries {
            let tier = try entry.mapping(allowedKeys: ["every", "for"])
            guard let every = tier["every"], let duration = tier["for"] else {
                throw entry.problem("each tier must set every and for")
            }
            let interval = try every.duration()
            let length = try duration.duration()
            guard length <= interval * 100_000 else {
                throw duration.problem("gives more than 100000 retries; make every longer or for shorter")
            }
            tiers.append(BackoffTier(every: interval, for: length))
        }
        return .tiers(tiers)
    }
}
