import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one task: where it is and its content.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The task id.")
        var id: String

        func validate() throws {
            guard Names.isValidTaskID(id) else { throw ValidationError("the id must match [A-Za-z0-9_-]{1,64}") }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            guard let location = spool.find(id: id) else {
                throw ValidationError("no task with id \(id)")
            }
            let record = try spool.record(at: location)
            if global.json {
                var members = location.json.objectValue ?? []
                members.append(JSONMember("task", record.json))
                Output.json(.object(members))
                return
            }
            Output.line("state: \(location.state.rawValue)")
            Output.line("path:  \(location.path)")
            if let due = location.due { Output.line("due:   \(due.rfc3339)") }
            Output.json(record.json)
        }
    }
}
