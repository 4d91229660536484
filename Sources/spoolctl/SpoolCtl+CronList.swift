import ArgumentParser
import SpoolConfig
import SpoolCore
import SpoolCron
import SpoolWorker

extension SpoolCtl {
    struct CronList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the cron entries with their next ticks and the outcome of their last one."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "The configuration file whose entries to list (default: spool.yaml in the spool).")
        var config: String?

        @Option(help: "How many next ticks to show.")
        var next = 1

        func validate() throws {
            guard (1...100).contains(next) else { throw ValidationError("--next must be 1-100") }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            var listed: [(entry: CronEntry, source: String)] = configuredEntries(spool).map { ($0, "config") }
            let configured = Set(listed.map(\.entry.name))
            let stored = spool.storedCronEntries()
            for problem in stored.problems { Output.error("spoolctl: \(problem)") }
            listed += stored.entries.filter { !configured.contains($0.name) }.map { ($0, "spool") }
            let paused = spool.pausedCronEntries()
            let now = spool.clock.now
            let rows = listed.map { item in
                CronRow(
                    entry: item.entry,
                    source: item.source,
                    paused: paused.contains(item.entry.name),
                    spool: spool,
                    now: now,
                    count: next
                )
            }
            if global.json {
                Output.json(.array(rows.map(\.json)))
                return
            }
            Output.table(
                ["NAME", "SOURCE", "SPEC", "ZONE", "MISSED", "STATE", "NEXT", "LAST"],
                rows.map { row in
                    [
                        row.entry.name, row.source, row.entry.spec, row.entry.timeZone, row.entry.missed.rawValue,
                        row.paused ? "paused" : "active",
                        row.problem ?? row.next.map(\.rfc3339).joined(separator: ","),
                        row.last.map { "\($0.tick.rfc3339) \($0.state)" } ?? "-",
                    ]
                }
            )
        }

        /// The entries of the configuration file; a file that cannot be read is said, and skipped.
        private func configuredEntries(_ spool: Spool) -> [CronEntry] {
            do {
                let configuration =
                    if let config {
                        try DaemonConfiguration.load(path: config)
                    } else {
                        try DaemonConfiguration.loadIfPresent(path: "\(spool.root)/spool.yaml")
                    }
                return configuration.engine.cron
            } catch {
                Output.error("spoolctl: \(error); listing the spool's entries only")
                return []
            }
        }
    }
}

/// One entry as `cron list` shows it.
struct CronRow {
    var entry: CronEntry
    var source: String
    var paused: Bool
    var next: [Timestamp] = []
    /// Why the entry does not fire (a spec or zone the scheduler refuses).
    var problem: String?
    /// The last tick fired, its task's id and where that task is now (`gone` once purged).
    var last: (tick: Timestamp, id: String, state: String)?

    /// How many of the latest ticks are looked for, newest first, before the noted one is shown.
    static let ticksLookedFor = 3

    init(entry: CronEntry, source: String, paused: Bool, spool: Spool, now: Timestamp, count: Int) {
        self.entry = entry
        self.source = source
        self.paused = paused
        let noted = spool.lastCronTick(of: entry.name)
        do {
            let schedule = CronSchedule(spec: try CronSpec(entry.spec), zone: try CronZone(entry.timeZone))
            next = schedule.ticks(after: now, count: count)
            // Schedulers note an entry's latest tick only now and then: its latest ticks' tasks say more.
            let latest = CronScheduler.latestTicks(
                of: schedule,
                after: noted ?? .earliest,
                upTo: now,
                keeping: CronRow.ticksLookedFor
            )
            for tick in latest.ticks.reversed() {
                let id = CronEntry.taskID(name: entry.name, tick: tick)
                if let location = spool.find(id: id) {
                    last = (tick, id, location.state.rawValue)
                    break
                }
            }
        } catch {
            problem = error.message
        }
        if last == nil, let tick = noted {
            let id = CronEntry.taskID(name: entry.name, tick: tick)
            last = (tick, id, spool.find(id: id).map { $0.state.rawValue } ?? "gone")
        }
    }

    var json: JSONValue {
        var members = entry.json.objectValue ?? []
        members.insert(JSONMember("source", .string(source)), at: 1)
        members.append(JSONMember("paused", .bool(paused)))
        members.append(JSONMember("next", .array(next.map { .string($0.rfc3339) })))
        if let problem { members.append(JSONMember("problem", .string(problem))) }
        members.append(
            JSONMember(
                "last",
                last.map {
                    .object([
                        JSONMember("tick", .string($0.tick.rfc3339)), JSONMember("id", .string($0.id)),
                        JSONMember("state", .string($0.state)),
                    ])
                } ?? .null
            )
        )
        return .object(members)
    }
}
