import Logging
import SpoolCore
import SpoolCron
import SpoolDaemon

/// The worker: Spool's daemon in this process, running the example's tasks, and a cron entry kept in the
/// spool that fires `add(2, 3)` periodically.
enum ExampleWorker {
    /// The cron entry's name; the id of each of its tasks is `cron-periodic-add-<tick in Unix ms>`.
    static let periodicName = "periodic-add"

    /// Runs until SIGTERM or SIGINT, firing the periodic task at every tick of `periodicSpec` (a cron spec:
    /// `@every 10s`, `*/5 * * * * *`…).
    static func run(spoolRoot: String, periodicSpec: String) async throws {
        var logger = Logger(label: "machinery")
        // Only the hooks' lines and what goes wrong: Spool's own lines about each task are at `info`.
        logger.logLevel = .notice
        let spool = try Spool(root: spoolRoot, logger: logger)
        try spool.addCronEntry(
            CronEntry(
                name: periodicName,
                spec: periodicSpec,
                task: [JSONMember("type", .string("add")), JSONMember("payload", .array([.integer(2), .integer(3)]))]
            ),
            replacing: true
        )
        try await SpoolDaemon(spoolRoot: spoolRoot, handlers: ExampleTasks.handlers, logger: logger).run()
    }
}
