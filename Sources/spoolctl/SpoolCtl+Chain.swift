import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Chain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look at a chain (tasks run one after the other) and cancel it.",
            discussion: """
                A chain is named by the id of its first task (or of any step: it is then shown from that \
                step). Every step's id is fixed when the chain is enqueued; a step is not enqueued until the \
                one before it succeeded.
                """,
            subcommands: [ChainShow.self, ChainCancel.self]
        )

        @OptionGroup var global: GlobalOptions

        /// Checks a task id given on the command line.
        static func check(_ id: String) throws {
            guard Names.isValidTaskID(id) else { throw ValidationError("the id must match [A-Za-z0-9_-]{1,64}") }
        }
    }

    struct ChainShow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show each step of a chain with its state."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The id of the chain's first task.")
        var id: String

        func validate() throws {
            try Chain.check(id)
        }

        func run() async throws {
            let steps = try global.open(.readOnly).chain(id: id)
            if global.json {
                for (number, step) in steps.enumerated() {
                    Output.jsonLine(.object([JSONMember("step", .integer(number + 1))] + (step.json.objectValue ?? [])))
                }
                return
            }
            Output.table(
                ["STEP", "ID", "STATE"],
                steps.enumerated().map { number, step in
                    [String(number + 1), step.id, step.state?.rawValue ?? "not enqueued yet"]
                }
            )
        }
    }

    struct ChainCancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Cancel a chain: its waiting step goes to dead/ as cancelled, a running one is stopped, then "
                + "so; the steps after it are never enqueued."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The id of the chain's first task.")
        var id: String

        func validate() throws {
            try Chain.check(id)
        }

        func run() async throws {
            let report = try global.open(.existing).cancel(chain: id)
            Output.outcome(
                "cancelled",
                of: [JSONMember("id", .string(id))] + report.members,
                json: global.json,
                text: "chain \(id) cancelled: \(report.cancelled) waiting steps cancelled, "
                    + "\(report.requested) running asked to stop"
            )
        }
    }
}
