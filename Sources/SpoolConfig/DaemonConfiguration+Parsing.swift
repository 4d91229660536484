internal import SpoolCore
internal import Yams

extension DaemonConfiguration {
    /// The keys allowed at the top level of `spool.yaml`, in the order of `docs/CONFIG.md`.
    static let topLevelKeys = [
        "durability", "watch", "poll_interval", "janitor_interval", "lease", "timeout", "max_attempts",
        "max_task_bytes", "retry", "retention", "shutdown_grace", "workers", "queues", "default_concurrency",
        "handlers", "routes", "api", "cron", "dead_limit", "tracing",
    ]

    /// Reads a configuration from the text of a `spool.yaml`.
    ///
    /// An empty text, or one with only comments, gives the default configuration.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - source: What error messages call the text, usually the file's path.
    /// - Throws: ``ConfigurationError`` for invalid YAML or any setting that is unknown, of the wrong type, out
    ///   of range, or names a handler that is not defined.
    public static func parse(_ text: String, source: String) throws(ConfigurationError) -> DaemonConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .default, .default, .utf8)
        } catch {
            throw ConfigurationError(yamlError: error, source: source)
        }
        guard let root else { return DaemonConfiguration() }
        do throws(ConfigProblem) {
            return try DaemonConfiguration(document: ConfigNode(node: root, path: ""))
        } catch {
            throw error.error(source: source)
        }
    }

    /// Reads the document's top-level mapping.
    init(document: ConfigNode) throws(ConfigProblem) {
        self.init()
        let top = try document.mapping(allowedKeys: Self.topLevelKeys)
        try spool.read(top)
        try engine.read(top)
        if let node = top["handlers"] {
            for entry in try node.mapping(allowedKeys: nil).entries {
                guard HandlerSpec.isValidName(entry.key) else {
                    throw ConfigProblem(
                        mark: entry.keyMark,
                        reason: "handlers: invalid handler name \(quoted(entry.key)) (must match [A-Za-z0-9_.-]{1,64})"
                    )
                }
                handlers[entry.key] = try HandlerSpec(config: entry.value)
            }
        }
        if let node = top["routes"] {
            for entry in try node.mapping(allowedKeys: nil).entries {
                guard Self.isValidTaskType(entry.key) else {
                    throw ConfigProblem(
                        mark: entry.keyMark,
                        reason: "routes: invalid task type \(quoted(entry.key))"
                            + " (1 to 128 characters, no control characters)"
                    )
                }
                routes[entry.key] = try handlerReference(entry.value)
            }
        }
        try readQueues(top["queues"])
        if let node = top["api"] {
            api = try APISettings(config: node)
        }
        if let node = top["tracing"] {
            tracing = try TracingSettings(config: node)
        }
    }

    /// The handler name a route or a queue's `handler` gives, which must be one of ``handlers``.
    func handlerReference(_ node: ConfigNode) throws(ConfigProblem) -> String {
        let name = try node.string()
        guard handlers[name] != nil else { throw node.problem("no handler named \(quoted(name))") }
        return name
    }

    /// Whether `type` can be a task's type: 1 to 128 characters with no control characters, as in task files.
    static func isValidTaskType(_ type: String) -> Bool {
        (1...128).contains(type.count)
            && !type.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
