import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Fsck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a spool and repair what is wrong: after a crash, a power loss, a restore or a copy.",
            discussion: """
                Recovers leftover staging files and stale leases (as the daemon's janitor does), reads every \
                task file, and moves files that are not valid tasks to rejected/ with their reason; moves tasks \
                in the wrong folder for their name where it says; keeps the most advanced copy of a task found \
                in several places (others go to rejected/); removes id and unique-key reservations and index \
                entries that name a task not in the spool (in a copy, a task that was lost). Names Spool does \
                not use are reported and left alone. A daemon may serve the spool meanwhile.
                One line per problem: its kind, the path, what is wrong, and what was done (or would be, with \
                --dry-run); then a summary. --json prints one JSON object per problem, then the summary.
                Exit status (as fsck(8)): 0 nothing wrong; 1 problems found and all repaired; 4 problems left \
                (--dry-run, or a repair that failed); 64, 66 and 74 as for every command.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Report only; change nothing.")
        var dryRun = false

        @Flag(
            help: """
                The spool is a restored copy that no process serves: every lease and staging file is stale now, \
                whatever its host, rather than when it expires.
                """
        )
        var restored = false

        func run() async throws {
            let spool = try global.open(dryRun ? .readOnly : .existing)
            let progress = Progress("checking")
            if progress.isShown {
                progress.total = spool.stats().queues.reduce(0) { $0 + $1.counts.values.reduce(0, +) }
            }
            let json = global.json
            let dryRun = dryRun
            let report = try spool.fsck(FsckOptions(dryRun: dryRun, restored: restored), progress: progress.update) {
                finding in
                if json {
                    Output.jsonLine(finding.json(dryRun: dryRun))
                } else {
                    progress.clear()
                    Output.line(Fsck.line(for: finding, dryRun: dryRun))
                }
            }
            progress.finish()
            if json {
                Output.jsonLine(report.json)
            } else {
                Output.line(Fsck.summary(of: report, dryRun: dryRun))
            }
            if report.unrepaired > 0 { throw ExitCode(4) }
            if report.problems > 0 { throw ExitCode(1) }
        }

        static func line(for finding: FsckFinding, dryRun: Bool) -> String {
            var text = "\(finding.problem.rawValue)  \(finding.path)  \(finding.detail)"
            if let action = finding.action {
                text += finding.repaired ? ": \(action)" : dryRun ? ": would be \(action)" : ": NOT \(action)"
            }
            return text
        }

        static func summary(of report: FsckReport, dryRun: Bool) -> String {
            var text = "checked \(report.tasksChecked) task files: "
            if report.problems == 0 {
                text += "no problems"
            } else {
                let kinds = FsckProblem.allCases.compactMap { kind in
                    report.found[kind].map { "\($0) \(kind.rawValue)" }
                }
                let noun = report.problems == 1 ? "problem" : "problems"
                text += "\(report.problems) \(noun) (\(kinds.joined(separator: ", "))), \(report.repaired) repaired"
                if dryRun { text += " (dry run)" }
            }
            if report.incoming > 0 { text += "; \(report.incoming) drops wait in incoming/" }
            return text
        }
    }
}

extension FsckFinding {
    /// The finding as one JSON object.
    func json(dryRun: Bool) -> JSONValue {
        var members = [JSONMember("problem", .string(problem.rawValue)), JSONMember("path", .string(path))]
        if let id { members.append(JSONMember("id", .string(id))) }
        members.append(JSONMember("detail", .string(detail)))
        if let action { members.append(JSONMember("action", .string(action))) }
        members.append(JSONMember("repaired", .bool(repaired)))
        return .object(members)
    }
}

extension FsckReport {
    /// The summary as one JSON object.
    var json: JSONValue {
        .object([
            JSONMember(
                "summary",
                .object([
                    JSONMember("tasks_checked", .integer(Int64(tasksChecked))),
                    JSONMember("problems", .integer(Int64(problems))),
                    JSONMember("repaired", .integer(Int64(repaired))),
                    JSONMember(
                        "found",
                        .object(
                            FsckProblem.allCases.compactMap { kind in
                                found[kind].map { JSONMember(kind.rawValue, .integer(Int64($0))) }
                            }
                        )
                    ),
                    JSONMember("incoming", .integer(Int64(incoming))),
                ])
            )
        ])
    }
}
