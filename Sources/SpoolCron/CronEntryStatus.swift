public import SpoolCore

/// One cron entry as operators see it (`spoolctl cron list`, `GET /v1/cron`): where it comes from, whether
/// it is paused, its next ticks, and the last tick fired with where that tick's task is now.
public struct CronEntryStatus: Sendable {
    /// Where an entry is defined.
    public enum Source: String, Sendable {
        /// In `spool.yaml`.
        case config
        /// In the spool, `cron/entries/`.
        case spool
    }

    /// The entry.
    public var entry: CronEntry
    /// Where it is defined.
    public var source: Source
    /// Whether it is paused.
    public var paused: Bool
    /// Its next ticks.
    public var next: [Timestamp] = []
    /// Why it does not fire (a spec or zone the scheduler refuses).
    public var problem: String?
    /// The last tick fired, its task's id and where that task is now (`gone` once purged).
    public var last: (tick: Timestamp, id: String, state: String)?

    /// How many of the latest ticks are looked for, newest first, before the noted one is shown.
    static let ticksLookedFor = 3

    /// The status of `entry` at `now`, with its next `count` ticks.
    public init(entry: CronEntry, source: Source, paused: Bool, spool: Spool, now: Timestamp, count: Int) {
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
                keeping: CronEntryStatus.ticksLookedFor
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

    /// The entry's fields, then `source`, `paused`, `next`, `problem` (when there is one) and `last`
    /// (`null`, or `tick`, `id` and `state`).
    public var json: JSONValue {
        var members = entry.json.objectValue ?? []
        members.insert(JSONMember("source", .string(source.rawValue)), at: 1)
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

extension Spool {
    /// The status of every cron entry: those of the configuration (`configured`) first, then those kept in
    /// the spool whose names the configuration does not use, each with its next `count` ticks; and a line
    /// for each stored file that is not a valid entry.
    public func cronStatus(
        configured: [CronEntry],
        now: Timestamp,
        count: Int
    ) -> (entries: [CronEntryStatus], problems: [String]) {
        var listed: [(entry: CronEntry, source: CronEntryStatus.Source)] = configured.map { ($0, .config) }
        let names = Set(configured.map(\.name))
        let stored = storedCronEntries()
        listed += stored.entries.filter { !names.contains($0.name) }.map { ($0, .spool) }
        let paused = pausedCronEntries()
        let entries = listed.map {
            CronEntryStatus(
                entry: $0.entry,
                source: $0.source,
                paused: paused.contains($0.entry.name),
                spool: self,
                now: now,
                count: count
            )
        }
        return (entries, stored.problems)
    }
}
