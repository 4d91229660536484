import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a queue: its tasks keep arriving but are not claimed until it is resumed."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The queue.")
        var queue: String

        func validate() throws {
            guard Names.isValidQueueName(queue) else { throw ValidationError("the queue must match [a-z0-9_-]{1,64}") }
        }

        func run() async throws {
            try global.open().pause(queue)
            Output.line("paused \(queue)")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused queue.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The queue.")
        var queue: String

        func validate() throws {
            guard Names.isValidQueueName(queue) else { throw ValidationError("the queue must match [a-z0-9_-]{1,64}") }
        }

        func run() async throws {
            try global.open().resume(queue)
            Output.line("resumed \(queue)")
        }
    }
}
