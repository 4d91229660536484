import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count tasks by queue and state.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let stats = try global.open(.readOnly).stats()
            let states = TaskState.allCases
            if global.json {
                Output.jsonLine(stats.json)
                return
            }
            Output.table(
                ["QUEUE"] + states.map { $0.rawValue.uppercased() },
                stats.queues.map { counts in [counts.queue] + states.map { String(counts[$0]) } }
            )
            Output.line("incoming: \(stats.incoming)  rejected: \(stats.rejected)")
            if !stats.paused.isEmpty { Output.line("paused: \(stats.paused.joined(separator: ", "))") }
        }
    }
}
