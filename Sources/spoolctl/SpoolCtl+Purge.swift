import ArgumentParser
import SpoolConfig
import SpoolCore

extension SpoolCtl {
    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete finished tasks before their retention ends.",
            discussion: """
                Deletes tasks in done/ and dead/ (or those of --state) with their id reservations and key index \
                entries, as the janitor does when their retention ends. Give --older-than, or --all for every \
                finished task of the selection. Tasks still waiting or running are never purged (cancel them \
                first). A task's age is that of its file's last write: its finish, or for a success without a \
                result its last lease renewal.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only tasks in this state: done or dead (repeatable; default both).")
        var state: [TaskState] = []

        @Option(help: "Only tasks of this queue.")
        var queue: String?

        @Option(help: "Only tasks finished longer ago than this (90s, 12h, 7d).")
        var olderThan: String?

        @Flag(help: "Every finished task of the selection, whatever its age.")
        var all = false

        @Flag(help: "Count what would be deleted; delete nothing.")
        var dryRun = false

        func validate() throws {
            for chosen in state where chosen != .done && chosen != .dead {
                throw ValidationError("--state must be done or dead")
            }
            if let queue, !Names.isValidQueueName(queue) {
                throw ValidationError("--queue must match [a-z0-9_-]{1,64}")
            }
            if olderThan == nil, !all {
                throw ValidationError("give --older-than, or --all to purge every finished task")
            }
            if olderThan != nil, all { throw ValidationError("give --older-than or --all, not both") }
            if let olderThan {
                guard let seconds = DurationSyntax.seconds(olderThan), seconds >= 0, seconds <= DurationSyntax.longest
                else { throw ValidationError("--older-than must be a duration such as 90s, 12h or 7d") }
            }
        }

        func run() async throws {
            let spool = try global.open(dryRun ? .readOnly : .existing)
            let states = state.isEmpty ? [TaskState.done, .dead] : state
            let before = olderThan.flatMap(DurationSyntax.seconds).map { spool.clock.now.adding(seconds: -$0) }
            let progress = Progress(dryRun ? "counting" : "purging")
            // Counted first only for a bar someone sees: it lists every folder once more.
            if progress.isShown { progress.total = spool.countFinished(states: states, queue: queue) }
            let report = try spool.purgeFinished(
                states: states,
                queue: queue,
                lastWrittenBefore: before,
                dryRun: dryRun,
                progress: progress.update
            )
            progress.finish()
            if global.json {
                Output.jsonLine(
                    .object([
                        JSONMember("matched", .integer(Int64(report.matched))),
                        JSONMember("deleted", .integer(Int64(report.deleted))), JSONMember("dry_run", .bool(dryRun)),
                    ])
                )
            } else if dryRun {
                Output.line("would purge \(report.matched) finished tasks")
            } else {
                Output.line("purged \(report.deleted) finished tasks")
            }
        }
    }
}
