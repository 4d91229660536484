import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one task: where it is and its content.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The task id.")
        var id: String?

        @Option(help: "Instead of an id: the task with this business key (the most recent, if several have it).")
        var key: String?

        func validate() throws {
            guard (id == nil) != (key == nil) else { throw ValidationError("give a task id or --key, not both") }
            if let id, !Names.isValidTaskID(id) { throw ValidationError("the id must match [A-Za-z0-9_-]{1,64}") }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            let found: TaskLocation? =
                if let key {
                    spool.tasks(withKey: key).max { createdAt($0, in: spool) < createdAt($1, in: spool) }
                } else {
                    id.flatMap { spool.find(id: $0) }
                }
            guard let location = found else {
                throw SpoolError(.notFound, key.map { "no task with key \($0)" } ?? "no task with id \(id ?? "")")
            }
            let record = try spool.record(at: location)
            if global.json {
                var members = location.json.objectValue ?? []
                members.append(JSONMember("task", record.json))
                Output.jsonLine(.object(members))
                return
            }
            Output.line("state: \(location.state.rawValue)")
            Output.line("path:  \(location.path)")
            if let due = location.due { Output.line("due:   \(due.rfc3339)") }
            Output.prettyJSON(record.json)
        }

        /// When the task at `location` was accepted; the earliest time if it cannot be read.
        private func createdAt(_ location: TaskLocation, in spool: Spool) -> Timestamp {
            (try? spool.record(at: location))?.createdAt ?? .earliest
        }
    }
}
