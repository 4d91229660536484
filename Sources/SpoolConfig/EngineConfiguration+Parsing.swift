internal import SpoolCore

extension EngineConfiguration {
    /// Applies the top-level settings that belong to the engine: `watch`, `poll_interval`, `janitor_interval`,
    /// `shutdown_grace`, `default_concurrency`, `workers` and `cron`. Per-queue settings are read with `queues`.
    mutating func read(_ top: ConfigMapping) throws(ConfigProblem) {
        watchMode = try top["watch"]?.choice(WatchMode.allCases.map { ($0.rawValue, $0) }) ?? watchMode
        pollInterval = try top["poll_interval"]?.duration() ?? pollInterval
        janitorInterval = try top["janitor_interval"]?.duration() ?? janitorInterval
        shutdownGrace = try top["shutdown_grace"]?.duration(allowingZero: true) ?? shutdownGrace
        defaultConcurrency = try top["default_concurrency"]?.integer(atLeast: 1) ?? defaultConcurrency
        if let node = top["workers"] {
            let workers = try node.mapping(allowedKeys: ["concurrency", "order", "claim_window"])
            workerConcurrency = try workers["concurrency"]?.integer(atLeast: 1) ?? workerConcurrency
            queueOrder = try workers["order"]?.choice(QueueOrder.allCases.map { ($0.rawValue, $0) }) ?? queueOrder
            claimWindow = try workers["claim_window"]?.integer(atLeast: 1) ?? claimWindow
        }
        if let node = top["cron"] {
            var names: Set<String> = []
            cron = []
            for element in try node.sequence() {
                let entry = try CronEntry(config: element)
                guard names.insert(entry.name).inserted else {
                    throw element.problem("a second entry named \(quoted(entry.name))")
                }
                cron.append(entry)
            }
        }
    }
}
