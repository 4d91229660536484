import ArgumentParser
import SpoolCore
import SpoolWatch

extension SpoolCtl {
    struct Result: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a finished task's result.",
            discussion: """
                Exit status: 0 with the result printed (null when the handler returned none); 1 when the task \
                is dead (its reason on standard error); 75 when it has not finished (yet, or within --timeout).
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The task id.")
        var id: String

        @Flag(name: .long, help: "Wait until the task finishes (without polling where inotify is available).")
        var wait = false

        @Option(name: .long, help: "With --wait: give up after this many seconds.")
        var timeout: Double?

        func validate() throws {
            guard Names.isValidTaskID(id) else { throw ValidationError("the id must match [A-Za-z0-9_-]{1,64}") }
            if let timeout, !(timeout >= 0) { throw ValidationError("--timeout must be a number of seconds ≥ 0") }
            if timeout != nil, !wait { throw ValidationError("--timeout needs --wait") }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            let location: TaskLocation
            if wait {
                location = try await spool.waitUntilFinished(id: id, timeout: timeout)
            } else {
                guard let found = spool.find(id: id) else { throw SpoolError(.notFound, "no task with id \(id)") }
                location = found
            }
            guard location.state == .done || location.state == .dead else {
                if global.json {
                    Output.jsonLine(
                        .object([JSONMember("id", .string(id)), JSONMember("state", .string(location.state.rawValue))])
                    )
                }
                Output.error(
                    "spoolctl: task \(id) is \(location.state.rawValue), not finished\(wait ? " within the timeout" : "")"
                )
                throw ExitCode(ExitStatus.notYet)
            }
            let record = try spool.record(at: location)
            if global.json {
                var members = [JSONMember("id", .string(id)), JSONMember("state", .string(location.state.rawValue))]
                members.append(JSONMember("result", record.result ?? .null))
                if let reason = record.stateReason { members.append(JSONMember("reason", .string(reason))) }
                Output.jsonLine(.object(members))
            } else if location.state == .done {
                Output.prettyJSON(record.result ?? .null)
            }
            if location.state == .dead {
                Output.error("spoolctl: task \(id) is dead: \(record.stateReason ?? "no reason recorded")")
                throw ExitCode(1)
            }
        }
    }
}
