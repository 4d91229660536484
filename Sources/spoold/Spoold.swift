public import ArgumentParser
public import Logging
import ServiceLifecycle
public import SpoolCore
public import SpoolWorker
import UnixSignals

/// `spoold`: keeps a spool moving (drop-box ingest, scheduled promotion, lease recovery, retention).
@main
struct Spoold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spoold",
        abstract: "Run the Spool daemon on a spool directory.",
        version: "0.1.0"
    )

    @Option(name: .long, help: "The spool directory (default: $SPOOL_DIR, else ./spool).")
    var spool: String?

    @Option(name: .long, help: "How arrivals are noticed: inotify, or poll for network filesystems.")
    var watch: EngineConfiguration.WatchMode = .inotify

    @Option(name: .long, help: "Seconds between rescans in poll mode.")
    var pollInterval: Double = 1

    @Option(name: .long, help: "What is flushed to disk: full, enqueue or none (see docs/FORMAT.md).")
    var durability: Durability = .enqueue

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be greater than 0") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let logger = Logger(label: "spoold")
        let root = spool ?? Environment.value("SPOOL_DIR") ?? "spool"
        let spool = try Spool(root: root, configuration: SpoolConfiguration(durability: durability), logger: logger)
        let engine = SpoolEngine(
            spool: spool,
            configuration: EngineConfiguration(watchMode: watch, pollInterval: pollInterval)
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: engine)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

extension EngineConfiguration.WatchMode: ExpressibleByArgument {}
extension Durability: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }

    public static var allValueStrings: [String] { Durability.all.map(\.name) }
}
extension Logger.Level: @retroactive ExpressibleByArgument {}
