public import ArgumentParser
import CoreMetrics
public import Logging
import SpoolConfig
public import SpoolCore
public import SpoolDaemon
import SpoolHTTP
import SpoolMetrics
import SystemPackage

/// `spoold`: runs a spool's scheduler, workers and HTTP API, as `spool.yaml` and `--mode` say.
struct Spoold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spoold",
        abstract: "Run the Spool daemon on a spool directory.",
        discussion: "SIGTERM or SIGINT shuts down gracefully; SIGHUP reloads the configuration (docs/CONFIG.md).",
        version: "0.1.0"
    )

    @Option(name: .long, help: "The spool directory (default: $SPOOL_DIR, else ./spool).")
    var spool: String?

    @Option(name: .long, help: "The configuration file (default: spool.yaml in the spool directory, if any).")
    var config: String?

    @Option(name: .long, help: "What this process does: all, scheduler, worker or api.")
    var mode: RunMode = .all

    @Option(name: .long, help: "Overrides `watch`: inotify, or poll for network filesystems.")
    var watch: EngineConfiguration.WatchMode?

    @Option(name: .long, help: "Overrides `poll_interval`: seconds between rescans in poll mode.")
    var pollInterval: Double?

    @Option(name: .long, help: "Overrides `durability`: full, enqueue or none (see docs/FORMAT.md).")
    var durability: Durability?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(
        name: .long,
        help:
            "This host's id in worker names, unique among the hosts sharing the spool: [A-Za-z0-9-]{1,60} (default: $SPOOL_HOST_ID, else /etc/spool/host-id, else the host name and machine id)."
    )
    var hostID: String?

    func validate() throws {
        if let pollInterval, !(pollInterval > 0) { throw ValidationError("--poll-interval must be greater than 0") }
        if let hostID, !HostIdentity.isValid(hostID) {
            throw ValidationError("--host-id must be 1 to 60 characters of A-Z, a-z, 0-9 and -")
        }
    }

    func run() async throws {
        // Before any worker name is made: every spool this process opens names its workers with it.
        if let hostID { Environment.set(HostIdentity.variable, to: hostID) }
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = LogfmtLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let (watch, pollInterval, durability) = (self.watch, self.pollInterval, self.durability)
        var daemon = SpoolDaemon(
            spoolRoot: spool ?? Environment.value("SPOOL_DIR") ?? "spool",
            configPath: config,
            mode: mode,
            logger: Logger(label: "spoold")
        ) { configuration in
            if let watch { configuration.engine.watchMode = watch }
            if let pollInterval { configuration.engine.pollInterval = pollInterval }
            if let durability { configuration.spool.durability = durability }
        }
        // Libraries that count through the global system (an HTTP middleware, say) count into the same registry.
        MetricsSystem.bootstrap(daemon.metrics.factory)
        // And they trace with the daemon's tracer, when spool.yaml asks for tracing.
        daemon.bootstrapsInstrumentation = true
        try await daemon.run()
    }
}

/// The entry point: runs the daemon, and turns any error into one line on standard error and a non-zero
/// exit status: 64 for a bad argument, 78 (`EX_CONFIG`) for a bad configuration (an HTTP API that must
/// not be served so included), 1 otherwise.
@main
enum Main {
    static func main() async {
        let command: Spoold
        do {
            command = try Spoold.parse()
        } catch {
            let code = Spoold.exitCode(for: error)
            if code == .success { Spoold.exit(withError: error) }
            fail(Spoold.message(for: error), status: 64)
        }
        do {
            try await command.run()
        } catch let error as ConfigurationError {
            fail("\(error)", status: 78)
        } catch let error as HTTPSetupError {
            fail("\(error)", status: 78)
        } catch {
            fail("\(error)", status: 1)
        }
    }

    private static func fail(_ message: String, status: Int32) -> Never {
        let line = message.split(separator: "\n").first.map(String.init) ?? "failed"
        _ = try? FileDescriptor.standardError.writeAll(Array("spoold: \(line)\n".utf8))
        Spoold.exit(withError: ExitCode(status))
    }
}

extension RunMode: ExpressibleByArgument {}
extension EngineConfiguration.WatchMode: ExpressibleByArgument {}
extension Durability: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }

    public static var allValueStrings: [String] { Durability.all.map(\.name) }
}
extension Logger.Level: @retroactive ExpressibleByArgument {}
