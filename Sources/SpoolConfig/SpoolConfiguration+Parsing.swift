internal import SpoolCore

extension SpoolConfiguration {
    /// The longest per-attempt timeout, as for a task's own `timeout`: 7 days.
    static let longestTimeout: Double = 604_800

    /// Applies the top-level settings that belong to the spool: `durability`, `lease`, `timeout`,
    /// `max_attempts`, `max_task_bytes`, `retry`, `retention` and `dead_limit`.
    mutating func read(_ top: ConfigMapping) throws(ConfigProblem) {
        durability = try top["durability"]?.choice(Durability.all.map { ($0.name, $0) }) ?? durability
        leaseDuration = try top["lease"]?.duration() ?? leaseDuration
        defaultTimeout = try top["timeout"]?.duration(atMost: Self.longestTimeout) ?? defaultTimeout
        defaultMaxAttempts = try top["max_attempts"]?.integer(in: 1...10_000) ?? defaultMaxAttempts
        maximumTaskBytes = try top["max_task_bytes"]?.integer(atLeast: 1) ?? maximumTaskBytes
        if let node = top["retry"] {
            defaultBackoff = try Backoff(config: node)
        }
        if let node = top["retention"] {
            let retention = try node.mapping(allowedKeys: ["done", "dead"])
            doneRetention = try retention["done"]?.duration(allowingZero: true) ?? doneRetention
            deadRetention = try retention["dead"]?.duration(allowingZero: true) ?? deadRetention
        }
        deadLimit = try top["dead_limit"]?.integer(in: 0...Int(Int32.max)) ?? deadLimit
    }
}
