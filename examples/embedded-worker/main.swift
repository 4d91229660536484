// An app that embeds Spool's workers and runs its tasks as Swift closures, with hooks around every
// attempt, as a Celery or Machinery app registers its tasks by name.
//
//     swift run spool-example-worker spool
//     spoolctl --spool spool enqueue --type thumbnail --payload '{"path":"cat.jpg","width":320}'
//
// `spool.yaml` in the spool still applies: a route there for the same type wins over these handlers.

import Logging
import SpoolCore
import SpoolDaemon
import SpoolWorker

/// The payload of a `thumbnail` task.
struct Thumbnail: Decodable {
    var path: String
    var width: Int
}

/// What a `thumbnail` task returns, stored as its result.
struct ThumbnailMade: Encodable {
    var path: String
    var bytes: Int
}

@main
enum ExampleWorker {
    static func main() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "example-worker")
        var handlers = TaskHandlers()
        handlers.register("thumbnail", as: Thumbnail.self) { task, thumbnail in
            guard thumbnail.width > 0 else { throw HandlerFailure.permanent("width must be positive") }
            task.logger.info("making a thumbnail", metadata: ["path": "\(thumbnail.path)"])
            return ThumbnailMade(path: "thumbs/\(thumbnail.width)/\(thumbnail.path)", bytes: thumbnail.width * 40)
        }
        handlers.register("flaky") { task in
            // Fails twice, then succeeds: the retries follow the task's backoff.
            if task.attempt < 3 { throw HandlerFailure.retry("not yet (attempt \(task.attempt))", after: 1) }
            return .string("done on attempt \(task.attempt)")
        }
        handlers.before { task in task.logger.debug("before") }
        handlers.after { task, _ in task.logger.debug("after") }
        handlers.onError { task, error in task.logger.warning("attempt failed", metadata: ["error": "\(error)"]) }
        let root = CommandLine.arguments.dropFirst().first ?? "spool"
        try await SpoolDaemon(spoolRoot: root, handlers: handlers, logger: logger).run()
    }
}
