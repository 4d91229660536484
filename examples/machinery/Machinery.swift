// The Machinery example app on Spool: tasks `add`, `multiply` and `sum` registered by name, a chain, a group
// with a chord callback, a periodic task, results fetched with a timeout, and hooks before and after every
// attempt. README.md says how to run it and what it prints.
//
//     swift run spool-example-machinery worker spool
//     swift run spool-example-machinery send spool

import ArgumentParser
import Logging

/// `worker` runs the tasks (and fires the periodic one); `send` sends the workflows and prints their results.
@main
struct Machinery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool-example-machinery",
        abstract: "Machinery's example app on Spool.",
        subcommands: [Worker.self, Send.self]
    )

    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the tasks, and fire the periodic one, until SIGTERM or SIGINT."
        )

        @Argument(help: "The spool directory (created if missing).")
        var spool: String

        @Option(help: "The periodic task's cron spec.")
        var periodic = "@every 10s"

        func run() async throws {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            try await ExampleWorker.run(spoolRoot: spool, periodicSpec: periodic)
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a chain and a chord, and print their results."
        )

        @Argument(help: "The spool directory.")
        var spool: String

        func run() async throws {
            try await Sender.run(spoolRoot: spool)
        }
    }
}

/// A failure the example reports; the command then exits with status 1.
struct ExampleError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
