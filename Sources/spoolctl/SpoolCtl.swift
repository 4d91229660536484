import ArgumentParser
import SpoolConfig
import SpoolCore
import SpoolSystem
import SystemPackage

/// `spoolctl`: inspect and steer a spool, with or without a daemon running.
struct SpoolCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spoolctl",
        abstract: "Inspect and steer a Spool task spool.",
        discussion: """
            Works on a spool with or without a daemon running, and on a backup copy. It never creates a spool, \
            and the commands that only read (stats, list, show, result, rejected list, cron list, purge \
            --dry-run, fsck --dry-run, snapshot, group show, group list, chain show) change nothing in it. \
            --json prints JSON Lines: one JSON object per line, per task or item listed.
            \(ExitStatus.table)
            """,
        version: "0.1.0",
        subcommands: [
            Enqueue.self, Stats.self, List.self, Show.self, Result.self, Pause.self, Resume.self, Cancel.self,
            Retry.self, Reschedule.self, Purge.self, Rejected.self, Cron.self, Snapshot.self, Fsck.self, Inspect.self,
            Tail.self, Group.self, Chain.self, HashPassword.self,
        ]
    )

    /// Accepted before the subcommand too: `spoolctl --spool DIR stats`.
    @OptionGroup var global: GlobalOptions
}

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The spool directory (default: $SPOOL_DIR, else ./spool).")
    var spool: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Option(
        name: .long,
        help: "What an enqueue flushes to disk: full, enqueue or none (see docs/FORMAT.md; default: spool.yaml's)."
    )
    var durability: String?

    func validate() throws {
        if let durability, Durability(name: durability) == nil {
            throw ValidationError("--durability must be one of: \(Durability.all.map(\.name).joined(separator: ", "))")
        }
    }

    /// Opens the spool named by `--spool` or `SPOOL_DIR`, which must exist: `spoolctl` never creates a spool,
    /// and a command that only reads opens it with ``SpoolAccess/readOnly``, so that it changes nothing.
    /// The spool's settings (retention, leases, task defaults) are its `spool.yaml`'s, as the daemon's are;
    /// a file the daemon would refuse is ignored here (the daemon says why).
    func open(_ access: SpoolAccess) throws -> Spool {
        let root = spool ?? Environment.value("SPOOL_DIR") ?? "spool"
        var configuration = (try? DaemonConfiguration.loadIfPresent(path: "\(root)/spool.yaml"))?.spool ?? .init()
        if let durability { configuration.durability = Durability(name: durability) ?? .enqueue }
        return try Spool(root: root, configuration: configuration, access: access)
    }
}

/// The entry point: runs the command, and turns any error into one line on standard error and a non-zero
/// exit status (help and version requests print as usual).
@main
enum Main {
    static func main() async {
        do {
            var command = try SpoolCtl.parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            // Staging files whose deletion is still queued would be left in tmp/ for the janitor.
            DeferredUnlink.waitUntilIdle()
        } catch {
            DeferredUnlink.waitUntilIdle()
            let code = SpoolCtl.exitCode(for: error)
            if code == .success || error is ExitCode { SpoolCtl.exit(withError: error) }
            let message = SpoolCtl.message(for: error).split(separator: "\n").first.map(String.init) ?? "failed"
            Output.error("spoolctl: \(message)")
            let status =
                if let error = error as? SpoolError {
                    ExitStatus.of(error.code)
                } else {
                    code == .validationFailure ? ExitStatus.usage : code.rawValue
                }
            SpoolCtl.exit(withError: ExitCode(status))
        }
    }
}

/// Writing to standard output and standard error.
enum Output {
    static func line(_ text: String) {
        _ = try? FileDescriptor.standardOutput.writeAll(Array((text + "\n").utf8))
    }

    static func error(_ text: String) {
        _ = try? FileDescriptor.standardError.writeAll(Array((text + "\n").utf8))
    }

    /// Prints rows as columns padded to their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        for row in all {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }
            line(String(cells.joined(separator: "  ").reversed().drop { $0 == " " }.reversed()))
        }
    }

    /// Prints what a command did to one thing: `text` for a person, or with `json` one JSON object with
    /// `members` and `outcome`.
    static func outcome(_ outcome: String, of members: [JSONMember], json: Bool, text: String) {
        if json {
            jsonLine(.object(members + [JSONMember("outcome", .string(outcome))]))
        } else {
            line(text)
        }
    }

    /// Prints `value` as one line of JSON (JSON Lines).
    static func jsonLine(_ value: JSONValue) {
        line(String(decoding: JSONWriter.encode(value), as: UTF8.self))
    }

    /// Prints `value` as indented JSON, for a person to read.
    static func prettyJSON(_ value: JSONValue) {
        line(String(decoding: JSONWriter.encode(value, pretty: true), as: UTF8.self))
    }
}
