internal import SpoolCore

extension DaemonConfiguration {
    /// The keys allowed under each queue.
    static let queueKeys = ["concurrency", "weight", "handler", "retention", "dead_limit", "rate"]

    /// Reads `queues`: each queue's concurrency and weight into ``engine``, its handler into ``queueHandlers``,
    /// its retention into ``spool``.
    /// Handlers must be read first.
    mutating func readQueues(_ node: ConfigNode?) throws(ConfigProblem) {
        guard let node else { return }
        for entry in try node.mapping(allowedKeys: nil).entries {
            guard Names.isValidQueueName(entry.key) else {
                throw ConfigProblem(
                    mark: entry.keyMark,
                    reason: "queues: invalid queue name \(quoted(entry.key)) (must match [a-z0-9_-]{1,64})"
                )
            }
            let queue = try entry.value.mapping(allowedKeys: Self.queueKeys)
            if let concurrency = try queue["concurrency"]?.integer(atLeast: 1) {
                engine.concurrency[entry.key] = concurrency
            }
            if let weight = try queue["weight"]?.integer(in: 1...1_000_000) {
                engine.weights[entry.key] = weight
            }
            if let handler = queue["handler"] {
                queueHandlers[entry.key] = try handlerReference(handler)
            }
            if let node = queue["retention"] {
                let retention = try node.mapping(allowedKeys: ["done", "dead"])
                spool.queueRetention[entry.key] = (
                    try retention["done"]?.duration(allowingZero: true),
                    try retention["dead"]?.duration(allowingZero: true)
                )
            }
            if let limit = try queue["dead_limit"]?.integer(in: 0...Int(Int32.max)) {
                spool.queueDeadLimits[entry.key] = limit
            }
            if let node = queue["rate"] {
                let rate = try node.mapping(allowedKeys: ["per_second", "burst"])
                guard let perSecond = try rate["per_second"]?.number(in: 0.001...1_000_000) else {
                    throw node.problem("per_second: required")
                }
                engine.rateLimits[entry.key] = RateLimit(
                    perSecond: perSecond,
                    burst: try rate["burst"]?.integer(in: 1...1_000_000)
                )
            }
        }
    }
}
