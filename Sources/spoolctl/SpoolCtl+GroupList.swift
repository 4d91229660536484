import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct GroupList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the groups, the oldest first, with their counts and their callback's state.",
            discussion: """
                A group is kept until every member finished and its retention passed. Each group listed has its \
                result markers read; when more groups exist than --limit, a line on standard error says so.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "The latest first.")
        var newest = false

        @Option(help: "At most this many groups (1-100000).")
        var limit = 100

        func validate() throws {
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1-100000") }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            let ids = spool.groupIDs()
            let chosen = newest ? Array(ids.reversed().prefix(limit)) : Array(ids.prefix(limit))
            // A group deleted meanwhile (its retention passed) is left out.
            let groups = chosen.compactMap { try? spool.group(id: $0) }
            if global.json {
                for group in groups { Output.jsonLine(group.summaryJSON) }
            } else {
                Output.table(
                    ["ID", "MEMBERS", "SUCCEEDED", "FAILED", "PENDING", "CALLBACK", "CREATED"],
                    groups.map { group in
                        [
                            group.manifest.id, String(group.members.count), String(group.succeeded),
                            String(group.failed), String(group.pending), Group.callback(of: group),
                            group.manifest.createdAt.rfc3339,
                        ]
                    }
                )
            }
            if ids.count > limit { Output.error("spoolctl: more groups exist than --limit \(limit)") }
        }
    }
}
