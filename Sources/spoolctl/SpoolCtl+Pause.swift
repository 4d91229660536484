import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a queue: its tasks keep arriving but are not claimed until it is resumed."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: QueueArgument

        func run() async throws {
            try global.open(.existing).pause(target.queue)
            Output.outcome(
                "paused",
                of: [JSONMember("queue", .string(target.queue))],
                json: global.json,
                text: "paused \(target.queue)"
            )
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused queue.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: QueueArgument

        func run() async throws {
            try global.open(.existing).resume(target.queue)
            Output.outcome(
                "resumed",
                of: [JSONMember("queue", .string(target.queue))],
                json: global.json,
                text: "resumed \(target.queue)"
            )
        }
    }
}

/// The queue a command acts on.
struct QueueArgument: ParsableArguments {
    @Argument(help: "The queue.")
    var queue: String

    func validate() throws {
        guard Names.isValidQueueName(queue) else { throw ValidationError("the queue must match [a-z0-9_-]{1,64}") }
    }
}
