import Logging
import SpoolCore
import SpoolWorker

/// The example's tasks, registered by name as a Machinery server registers them, with its hooks.
enum ExampleTasks {
    static var handlers: TaskHandlers {
        var handlers = TaskHandlers()
        // Each takes its integer arguments as the payload, a JSON array.
        handlers.register("add", as: [Int].self) { _, arguments in arguments.reduce(0, +) }
        handlers.register("multiply", as: [Int].self) { _, arguments in arguments.reduce(1, *) }
        // A chord's callback gets the results of the group's members, in member order, as its payload.
        handlers.register("sum", as: [Int].self) { _, results in results.reduce(0, +) }
        // Run before and after every attempt; the task's logger names the task, its type and the attempt.
        handlers.before { task in
            task.logger.notice("before attempt", metadata: ["payload": "\(text(task.payload))"])
        }
        handlers.after { task, result in
            task.logger.notice("after attempt", metadata: ["result": "\(text(result ?? .null))"])
        }
        handlers.onError { task, error in
            task.logger.warning("attempt failed", metadata: ["error": "\(error)"])
        }
        return handlers
    }

    /// `value` as compact JSON.
    static func text(_ value: JSONValue) -> String {
        String(decoding: JSONWriter.encode(value), as: UTF8.self)
    }
}
