import ArgumentParser
import SpoolConfig
import SpoolCore
import SpoolCron

extension SpoolCtl {
    struct CronList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the cron entries with their next ticks and the outcome of their last one."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "The configuration file whose entries to list (default: spool.yaml in the spool).")
        var config: String?

        @Option(help: "How many next ticks to show.")
        var next = 1

        func validate() throws {
            guard (1...100).contains(next) else { throw ValidationError("--next must be 1-100") }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            let status = spool.cronStatus(configured: configuredEntries(spool), now: spool.clock.now, count: next)
            for problem in status.problems { Output.error("spoolctl: \(problem)") }
            let rows = status.entries
            if global.json {
                for row in rows { Output.jsonLine(row.json) }
                return
            }
            Output.table(
                ["NAME", "SOURCE", "SPEC", "ZONE", "MISSED", "STATE", "NEXT", "LAST"],
                rows.map { row in
                    [
                        row.entry.name, row.source.rawValue, row.entry.spec, row.entry.timeZone,
                        row.entry.missed.rawValue,
                        row.paused ? "paused" : "active",
                        row.problem ?? row.next.map(\.rfc3339).joined(separator: ","),
                        row.last.map { "\($0.tick.rfc3339) \($0.state)" } ?? "-",
                    ]
                }
            )
        }

        /// The entries of the configuration file; a file that cannot be read is said, and skipped.
        private func configuredEntries(_ spool: Spool) -> [CronEntry] {
            CronList.configuredEntries(of: spool, config: config)
        }

        /// The cron entries of `config` (else the spool's `spool.yaml`); a file that cannot be read is said,
        /// and skipped.
        static func configuredEntries(of spool: Spool, config: String? = nil) -> [CronEntry] {
            do {
                let configuration =
                    if let config {
                        try DaemonConfiguration.load(path: config)
                    } else {
                        try DaemonConfiguration.loadIfPresent(path: "\(spool.root)/spool.yaml")
                    }
                return configuration.engine.cron
            } catch {
                Output.error("spoolctl: \(error); listing the spool's entries only")
                return []
            }
        }
    }
}
