public import ArgumentParser
public import SpoolCore

extension TaskState: ExpressibleByArgument {}

extension SpoolCtl {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tasks, pending ones in due order.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only tasks in this state: \(TaskState.allCases.map(\.rawValue).joined(separator: ", ")).")
        var state: TaskState?

        @Option(help: "Only tasks of this queue.")
        var queue: String?

        @Option(help: "At most this many tasks.")
        var limit = 100

        @Option(help: "Only tasks with this business key (the task field key), found through the key index.")
        var key: String?

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be greater than 0") }
            if let queue, !Names.isValidQueueName(queue) {
                throw ValidationError("--queue must match [a-z0-9_-]{1,64}")
            }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            let tasks: [TaskLocation]
            if let key {
                tasks =
                    Array(
                        spool.tasks(withKey: key)
                            .filter { (state == nil || $0.state == state) && (queue == nil || $0.queue == queue) }
                            .prefix(limit)
                    )
            } else {
                tasks = spool.list(state: state, queue: queue, limit: limit)
            }
            if global.json {
                for task in tasks { Output.jsonLine(task.json) }
                return
            }
            Output.table(
                ["ID", "QUEUE", "STATE", "DUE", "PATH"],
                tasks.map { [$0.id, $0.queue, $0.state.rawValue, $0.due?.rfc3339 ?? "-", $0.path] }
            )
        }
    }
}
