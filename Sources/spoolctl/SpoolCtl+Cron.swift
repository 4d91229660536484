import ArgumentParser
import SpoolCore
import SpoolCron

extension SpoolCtl {
    struct Cron: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Manage cron entries: those kept in the spool (they travel with backups) and those of spool.yaml.",
            discussion: """
                Every spoold with the scheduling role fires the entries; each tick fires once however many run. \
                Entries of spool.yaml are listed, paused and resumed here, and changed in the file.
                """,
            subcommands: [CronAdd.self, CronRemove.self, CronList.self, CronPause.self, CronResume.self]
        )

        @OptionGroup var global: GlobalOptions
    }

    struct CronAdd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add an entry to the spool: each tick of SPEC creates a task."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The entry's name, [A-Za-z0-9_-]{1,45}.")
        var name: String

        @Argument(
            help: "When it fires: 5 fields, 6 with seconds first, @every 10s, @hourly, @daily, @weekly, @monthly."
        )
        var spec: String

        @Option(help: "The tz database zone the spec is read in, such as Europe/Berlin.")
        var timeZone = "UTC"

        @Option(help: "Ticks missed while no scheduler ran: skip, once or all.")
        var missed = "skip"

        @Option(help: "The most missed ticks that --missed all fires.")
        var missedLimit = 100

        @Option(help: "The task's handler name.")
        var type: String?

        @Option(help: "The task's queue.")
        var queue: String?

        @Option(help: "The task's payload, as JSON.")
        var payload: String?

        @Option(help: "Attempts in all before a tick's task goes to dead/.")
        var maxAttempts: Int?

        @Option(help: "More task fields, as a JSON object in the task-file format (without id, run_at, delay).")
        var task: String?

        @Flag(help: "Replace an entry of the same name.")
        var replace = false

        func validate() throws {
            guard CronEntry.isValidName(name) else {
                throw ValidationError("the name must match [A-Za-z0-9_-]{1,\(CronEntry.maximumNameLength)}")
            }
            do {
                _ = try CronSpec(spec)
                _ = try CronZone(timeZone)
            } catch {
                throw ValidationError(error.message)
            }
            guard CronEntry.MissedPolicy(rawValue: missed) != nil else {
                throw ValidationError("--missed must be skip, once or all")
            }
            guard (1...CronEntry.maximumMissedLimit).contains(missedLimit) else {
                throw ValidationError("--missed-limit must be 1-\(CronEntry.maximumMissedLimit)")
            }
        }

        func run() async throws {
            var members: [JSONMember] = []
            if let task {
                guard case .object(let given)? = try? JSONParser.parse(Array(task.utf8)) else {
                    throw ValidationError("--task must be a JSON object")
                }
                members = given
            }
            func set(_ key: String, _ value: JSONValue) {
                members.removeAll { $0.key == key }
                members.append(JSONMember(key, value))
            }
            if let type { set("type", .string(type)) }
            if let queue { set("queue", .string(queue)) }
            if let payload {
                guard let value = try? JSONParser.parse(Array(payload.utf8)) else {
                    throw ValidationError("--payload is not valid JSON")
                }
                set("payload", value)
            }
            if let maxAttempts { set("max_attempts", .integer(maxAttempts)) }
            let entry: CronEntry
            do {
                entry = try CronEntry(
                    name: name,
                    spec: spec,
                    timeZone: timeZone,
                    missed: CronEntry.MissedPolicy(rawValue: missed) ?? .skip,
                    missedLimit: missedLimit,
                    task: members
                )
            } catch {
                throw ValidationError(error.message)
            }
            try global.open(.existing).addCronEntry(entry, replacing: replace)
            Output.outcome("added", of: [JSONMember("name", .string(name))], json: global.json, text: "added \(name)")
        }
    }

    struct CronRemove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove an entry kept in the spool; the tasks it fired stay."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CronNameArgument

        func run() async throws {
            try global.open(.existing).removeCronEntry(named: target.name)
            Output.outcome(
                "removed",
                of: [JSONMember("name", .string(target.name))],
                json: global.json,
                text: "removed \(target.name)"
            )
        }
    }

    struct CronPause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pause",
            abstract: "Pause an entry (of the spool or of spool.yaml): its ticks are skipped until it is resumed."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CronNameArgument

        func run() async throws {
            try global.open(.existing).pauseCron(target.name)
            Output.outcome(
                "paused",
                of: [JSONMember("name", .string(target.name))],
                json: global.json,
                text: "paused \(target.name)"
            )
        }
    }

    struct CronResume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "Resume a paused entry; the ticks passed while it was paused are not fired."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CronNameArgument

        func run() async throws {
            try global.open(.existing).resumeCron(target.name)
            Output.outcome(
                "resumed",
                of: [JSONMember("name", .string(target.name))],
                json: global.json,
                text: "resumed \(target.name)"
            )
        }
    }
}

/// The entry a command acts on.
struct CronNameArgument: ParsableArguments {
    @Argument(help: "The entry's name.")
    var name: String

    func validate() throws {
        guard CronEntry.isValidName(name) else {
            throw ValidationError("the name must match [A-Za-z0-9_-]{1,\(CronEntry.maximumNameLength)}")
        }
    }
}
