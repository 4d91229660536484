import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count tasks by queue and state.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let stats = try global.open().stats()
            let states = TaskState.allCases
            if global.json {
                let queues = stats.queues.map { counts in
                    JSONValue.object(
                        [JSONMember("queue", .string(counts.queue))]
                            + states.map { JSONMember($0.rawValue, .integer(counts[$0])) }
                    )
                }
                Output.json(
                    .object([
                        JSONMember("queues", .array(queues)), JSONMember("incoming", .integer(stats.incoming)),
                        JSONMember("rejected", .integer(stats.rejected)),
                    ])
                )
                return
            }
            Output.table(
                ["QUEUE"] + states.map { $0.rawValue.uppercased() },
                stats.queues.map { counts in [counts.queue] + states.map { String(counts[$0]) } }
            )
            Output.line("incoming: \(stats.incoming)  rejected: \(stats.rejected)")
        }
    }
}
