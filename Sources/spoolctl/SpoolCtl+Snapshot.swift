import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Snapshot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a live spool, as it stands at one instant, into a new folder to back up.",
            discussion: """
                Every task acknowledged before the command is in the copy exactly once. A first pass links \
                every file while the spool goes on; then renames wait while the folders changed since are \
                brought up to that instant (the pause is printed); files get a second name (hard links) where \
                the filesystem allows, else a copy, so DIR should be on the spool's filesystem. Ship DIR with \
                `rsync -a` or tar; a spoold started on it recovers it as after a crash. See docs/OPERATIONS.md.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The folder to create (or an empty one), outside the spool.")
        var directory: String

        @Option(help: "Seconds to wait for renames under way to end (1-3600).")
        var timeout: Double = 30

        func validate() throws {
            guard timeout >= 1, timeout <= 3600 else { throw ValidationError("--timeout must be 1-3600 seconds") }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            let progress = Progress("copying")
            let report = try spool.snapshot(to: directory, timeout: timeout, progress: progress.update)
            progress.finish()
            if global.json {
                Output.jsonLine(
                    .object([
                        JSONMember("directory", .string(directory)),
                        JSONMember("linked", .integer(Int64(report.linked))),
                        JSONMember("copied", .integer(Int64(report.copied))),
                        JSONMember("symlinks", .integer(Int64(report.symlinks))),
                        JSONMember("folders", .integer(Int64(report.folders))),
                        JSONMember("skipped", .integer(Int64(report.skipped))),
                        JSONMember("wait_ms", .integer(report.waitMilliseconds)),
                        JSONMember("pause_ms", .integer(report.pauseMilliseconds)),
                        JSONMember("rescanned_folders", .integer(Int64(report.rescannedFolders))),
                    ])
                )
            } else {
                Output.line(
                    "snapshot in \(directory): \(report.linked) files linked, \(report.copied) copied, "
                        + "\(report.symlinks) symbolic links, \(report.folders) folders; "
                        + "renames paused \(report.pauseMilliseconds) ms for \(report.rescannedFolders) folders changed meanwhile"
                )
            }
        }
    }
}
