public import SpoolCore

/// Everything `spool.yaml` configures for `spoold`: the spool's settings, the engine's, the handlers and how
/// tasks are routed to them, and the HTTP API.
///
/// Read one with ``load(path:)``, ``loadIfPresent(path:)`` or ``parse(_:source:)``; `docs/CONFIG.md`
/// describes every key. The engine's ``EngineConfiguration/roles`` are left at their default: the run mode
/// comes from the command line.
public struct DaemonConfiguration: Sendable {
    /// Settings of the spool itself: durability, task defaults, leases and retention.
    public var spool: SpoolConfiguration
    /// Settings of the engine: watching, intervals, concurrency and queue order.
    public var engine: EngineConfiguration
    /// The handlers, by name.
    public var handlers: [String: HandlerSpec]
    /// The handler's name for each task type that has a route.
    public var routes: [String: String]
    /// The handler's name for the tasks of a queue whose type has no route, by queue name.
    public var queueHandlers: [String: String]
    /// Where the HTTP API listens; `nil` when the file has no `api` section.
    public var api: APISettings?
    /// Where spans are exported; `nil` when the file has no `tracing` section (nothing is traced).
    public var tracing: TracingSettings?

    /// Creates a configuration; every parameter defaults to what an empty `spool.yaml` gives.
    public init(
        spool: SpoolConfiguration = SpoolConfiguration(),
        engine: EngineConfiguration = EngineConfiguration(),
        handlers: [String: HandlerSpec] = [:],
        routes: [String: String] = [:],
        queueHandlers: [String: String] = [:],
        api: APISettings? = nil,
        tracing: TracingSettings? = nil
    ) {
        self.spool = spool
        self.engine = engine
        self.handlers = handlers
        self.routes = routes
        self.queueHandlers = queueHandlers
        self.api = api
        self.tracing = tracing
    }

    /// The name of the handler configured for a task: the route of its type, else the handler of its queue.
    ///
    /// - Returns: `nil` when neither is configured; the daemon then looks for an in-process handler
    ///   registered for the type.
    public func handlerName(forType type: String, queue: String) -> String? {
        routes[type] ?? queueHandlers[queue]
    }
}
