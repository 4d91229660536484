import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Rejected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the files in rejected/ with their reasons, and submit a fixed one again.",
            discussion: """
                A drop that is not a valid task, or a task file found unreadable, is kept in rejected/ unchanged, \
                next to <name>.reason. Fix the file there, then `spoolctl rejected resubmit NAME` ingests it \
                again: it becomes a task, or is rejected again with the new reason.
                """,
            subcommands: [RejectedList.self, RejectedResubmit.self],
            defaultSubcommand: RejectedList.self
        )
    }

    struct RejectedList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the rejected files, the most recent first."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "The most files to list (1-100000).")
        var limit = 50

        func validate() throws {
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1-100000") }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            let (files, more) = spool.rejectedFiles(limit: limit)
            if global.json {
                for file in files {
                    Output.line(
                        String(
                            decoding: JSONWriter.encode(
                                .object([
                                    JSONMember("name", .string(file.name)),
                                    JSONMember("reason", file.reason.map(JSONValue.string) ?? .null),
                                    JSONMember("size", .integer(file.size)),
                                    JSONMember("rejected_at", .string(file.changed.rfc3339)),
                                ])
                            ),
                            as: UTF8.self
                        )
                    )
                }
            } else {
                Output.table(
                    ["REJECTED", "SIZE", "NAME", "REASON"],
                    files.map { [$0.changed.rfc3339, "\($0.size)", $0.name, $0.reason ?? "-"] }
                )
            }
            if more { Output.error("spoolctl: more rejected files than --limit \(limit)") }
        }
    }

    struct RejectedResubmit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resubmit",
            abstract: "Ingest rejected files again, once fixed: each becomes a task or is rejected again."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Names in rejected/.")
        var names: [String]

        func validate() throws {
            if names.isEmpty { throw ValidationError("give the names of rejected files") }
        }

        func run() async throws {
            let spool = try global.open(.existing)
            var failures: [Int32] = []
            let json = global.json
            for name in names {
                let file = JSONMember("name", .string(name))
                do {
                    switch try spool.resubmitRejected(name) {
                    case .accepted(let id, let queue):
                        let members = [file, JSONMember("id", .string(id)), JSONMember("queue", .string(queue))]
                        Output.outcome(
                            "accepted",
                            of: members,
                            json: json,
                            text: "\(name) accepted as \(id) in \(queue)"
                        )
                    case .rejected(let again, let reason):
                        failures.append(ExitStatus.invalidInput)
                        let members = [
                            file, JSONMember("rejected_as", .string(again)), JSONMember("reason", .string(reason)),
                        ]
                        Output.outcome(
                            "rejected",
                            of: members,
                            json: json,
                            text: "\(name) rejected again as \(again): \(reason)"
                        )
                    case .skipped:
                        Output.outcome(
                            "handed_over",
                            of: [file],
                            json: json,
                            text: "\(name) handed to the running daemon"
                        )
                    }
                } catch {
                    failures.append(ExitStatus.of(error.code))
                    if json { Output.jsonLine(.object([file, JSONMember("error", .string(error.message))])) }
                    Output.error("spoolctl: \(error.message)")
                }
            }
            if !failures.isEmpty { throw ExitCode(ExitStatus.combined(failures)) }
        }
    }
}
