public import Logging
import ServiceLifecycle
public import SpoolConfig
import SpoolCore
import SpoolHTTP
import SpoolHandlers
public import SpoolMetrics
public import SpoolWorker
import Synchronization
import Tracing
import UnixSignals

/// `spoold` as a library: reads `spool.yaml`, opens the spool and runs what the run mode asks for (engine,
/// workers with their exec, HTTP and in-process handlers, the HTTP API) until SIGTERM or SIGINT; SIGHUP
/// reloads the configuration.
///
/// An app that embeds its workers registers Swift handlers and hooks in ``handlers`` and calls ``run()``.
///
/// What the daemon does is counted in ``metrics``, whose exposition the HTTP layer serves. The daemon gives
/// their factory to the spool it opens rather than bootstrapping `MetricsSystem`, which a program does at most
/// once: `spoold` bootstraps it with the same factory.
///
/// With a `tracing` section in the configuration, the daemon traces its tasks with swift-otel's tracer and
/// exports the spans over OTLP, flushing them at shutdown; it bootstraps `InstrumentationSystem` with that
/// tracer only when ``bootstrapsInstrumentation`` says so. The section is read at start only: a reload
/// does not change it.
public struct SpoolDaemon: Sendable {
    /// The spool directory.
    public var spoolRoot: String
    /// The configuration file; `nil` reads `spool.yaml` in the spool root if there is one.
    public var configPath: String?
    /// What this process does.
    public var mode: RunMode
    /// In-process handlers and hooks; a route in the configuration wins over a handler of the same type.
    public var handlers: TaskHandlers
    /// Applied to the configuration after every load (command-line overrides, say).
    public var adjust: @Sendable (inout DaemonConfiguration) -> Void
    /// Where the daemon logs.
    public var logger: Logger
    /// The daemon's Prometheus metrics: the spool it runs on counts into them, and they report its tasks by
    /// queue and state.
    public let metrics = SpoolMetrics()
    /// Whether ``run()`` bootstraps `InstrumentationSystem` with the tracer it makes when the configuration
    /// asks for tracing, so that a Swift handler's own spans (and a library's) are exported with the task's.
    /// A program does it at most once: `spoold` sets it; an app that bootstraps its own tracer does not.
    public var bootstrapsInstrumentation = false

    /// Creates a daemon; nothing runs until ``run()``.
    public init(
        spoolRoot: String,
        configPath: String? = nil,
        mode: RunMode = .all,
        handlers: TaskHandlers = TaskHandlers(),
        logger: Logger,
        adjust: @escaping @Sendable (inout DaemonConfiguration) -> Void = { _ in }
    ) {
        self.spoolRoot = spoolRoot
        self.configPath = configPath
        self.mode = mode
        self.handlers = handlers
        self.logger = logger
        self.adjust = adjust
    }

    /// Reads and checks the configuration, with ``adjust`` applied.
    public func loadConfiguration() throws(ConfigurationError) -> DaemonConfiguration {
        var configuration =
            if let configPath {
                try DaemonConfiguration.load(path: configPath)
            } else {
                try DaemonConfiguration.loadIfPresent(path: "\(spoolRoot)/spool.yaml")
            }
        adjust(&configuration)
        configuration.engine.roles = mode.roles
        return configuration
    }

    /// Runs until a graceful shutdown (SIGTERM, SIGINT) completes.
    ///
    /// - Throws: ``ConfigurationError`` for a bad configuration, `SpoolError` if the spool cannot be opened.
    public func run() async throws {
        let configuration = try loadConfiguration()
        let tracing = try DaemonTracing(
            settings: configuration.tracing,
            source: configPath ?? "\(spoolRoot)/spool.yaml",
            logger: logger
        )
        if bootstrapsInstrumentation, tracing.service != nil { InstrumentationSystem.bootstrap(tracing.tracer) }
        let spool = try Spool(
            root: spoolRoot,
            configuration: configuration.spool,
            logger: logger,
            metricsFactory: metrics.factory,
            tracer: tracing.tracer
        )
        metrics.observe(spool)
        let client = SharedHTTPClient()
        do {
            try await run(spool: spool, configuration: configuration, client: client, tracing: tracing)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    /// The engine for the run mode's roles; `nil` in `api` mode.
    private func makeEngine(spool: Spool, configuration: DaemonConfiguration, factory: HandlerFactory) -> SpoolEngine? {
        guard !mode.roles.isEmpty else { return nil }
        let handlers = factory.handlers(for: configuration, embedded: self.handlers)
        if mode.roles.contains(.working), handlers.isEmpty {
            logger.notice("no handlers configured: this process runs no tasks")
        }
        return SpoolEngine(
            spool: spool,
            configuration: configuration.engine,
            handlers: handlers.isEmpty ? nil : handlers
        )
    }

    private func run(
        spool: Spool,
        configuration: DaemonConfiguration,
        client: SharedHTTPClient,
        tracing: DaemonTracing
    ) async throws {
        let factory = HandlerFactory(spoolRoot: spoolRoot, client: client)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // First, so that it stops last: the spans of the attempts that end during the shutdown are flushed.
        if let exporter = tracing.service {
            services.append(.init(service: exporter))
            logger.info("exporting spans", metadata: ["spool.tracing": "\(configuration.tracing?.tracesURL ?? "")"])
        }
        let engine = makeEngine(spool: spool, configuration: configuration, factory: factory)
        if let engine { services.append(.init(service: engine)) }
        let configuredCron = Mutex(configuration.engine.cron)
        if mode == .api || (mode == .all && configuration.api != nil) {
            let settings = configuration.api ?? APISettings()
            let service = try HTTPServer.service(
                spool: spool,
                settings: settings,
                configuredCron: { configuredCron.withLock { $0 } },
                metrics: { [metrics] in metrics.exposition() },
                logger: logger
            )
            services.append(.init(service: service))
            logger.info("starting the HTTP API", metadata: ["spool.api": "\(settings.host):\(settings.port)"])
        }
        let reloader = await HangupReloader { [self] in
            do {
                let reloaded = try loadConfiguration()
                spool.reconfigure(reloaded.spool)
                configuredCron.withLock { $0 = reloaded.engine.cron }
                engine?.reload(
                    configuration: reloaded.engine,
                    handlers: factory.handlers(for: reloaded, embedded: handlers)
                )
                logger.notice("configuration reloaded")
            } catch {
                logger.error(
                    "configuration not reloaded; keeping the running one",
                    metadata: ["spool.error": "\(error)"]
                )
            }
        }
        services.append(.init(service: reloader))
        let started = StartedNotice(
            logger: logger,
            metadata: [
                "spool.root": "\(spoolRoot)", "spool.mode": "\(mode.rawValue)", "spool.worker": "\(spool.worker)",
            ]
        )
        services.append(.init(service: started, successTerminationBehavior: .ignore))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
