import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Group: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look at groups (tasks run in parallel, a callback once they all finished) and cancel one.",
            discussion: """
                A group is enqueued as a document with `enqueue --file` (docs/FORMAT.md, "Workflows"). A \
                member's state is done or dead once it finished, pending while it waits or runs.
                """,
            subcommands: [GroupShow.self, GroupList.self, GroupCancel.self]
        )

        @OptionGroup var global: GlobalOptions

        /// Checks a group id given on the command line.
        static func check(_ id: String) throws {
            guard Names.isValidTaskID(id) else { throw ValidationError("the group id must match [A-Za-z0-9_-]{1,64}") }
        }

        /// A group's callback for a person: its id and where it is, or none.
        static func callback(of status: GroupStatus) -> String {
            guard let id = status.manifest.callback else {
                return status.callback == .cancelled ? "none (group cancelled)" : "none"
            }
            return "\(id) \(status.callback.rawValue)"
        }
    }

    struct GroupShow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a group: its callback, its counts, and each member with its state and result or error."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The group id.")
        var id: String

        func validate() throws {
            try Group.check(id)
        }

        func run() async throws {
            let status = try global.open(.readOnly).group(id: id)
            if global.json {
                Output.jsonLine(status.json)
                return
            }
            Output.line("group:    \(status.manifest.id)")
            Output.line("created:  \(status.manifest.createdAt.rfc3339)")
            Output.line("callback: \(Group.callback(of: status)), run when \(status.manifest.runCallback.rawValue)")
            Output.line(
                "members:  \(status.members.count): \(status.succeeded) succeeded, \(status.failed) failed, "
                    + "\(status.pending) pending"
            )
            Output.table(
                ["INDEX", "ID", "STATE", "RESULT/ERROR"],
                status.members.map { member in
                    let outcome =
                        member.error
                        ?? member.result.map { String(decoding: JSONWriter.encode($0), as: UTF8.self) } ?? ""
                    return [
                        String(member.index), member.id, member.state?.rawValue ?? "pending",
                        List.oneLine(outcome, longest: 60),
                    ]
                }
            )
        }
    }

    struct GroupCancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Cancel a group: its callback will not run; its waiting members go to dead/ as cancelled, "
                + "its running ones are stopped, then so."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The group id.")
        var id: String

        func validate() throws {
            try Group.check(id)
        }

        func run() async throws {
            let report = try global.open(.existing).cancel(group: id)
            let callback = report.callbackCancelled ? "its callback will not run" : "no callback was waiting"
            Output.outcome(
                "cancelled",
                of: [JSONMember("id", .string(id))] + report.members,
                json: global.json,
                text: "group \(id) cancelled: \(report.cancelled) waiting members cancelled, "
                    + "\(report.requested) running asked to stop; \(callback)"
            )
        }
    }
}
