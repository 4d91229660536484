import HeapModule
public import SpoolCore

/// Decides which ticks of which entries to fire, and when to look again: the scheduling of Spool's cron,
/// without I/O, so that every case can be tested with a given clock.
///
/// Each entry has a cursor: every tick up to it has been dealt with. A tick at most ``lateness`` old is
/// late, not missed, and fires whatever the policy (a busy machine or a slow disk delays a tick; it does not
/// drop it). Older ticks are missed (the schedulers were down, or the clock jumped ahead), and the entry's
/// ``CronEntry/MissedPolicy`` decides: none, the latest, or the latest ``CronEntry/missedLimit`` of them.
/// While an entry is paused its ticks are skipped.
public struct CronScheduler: Sendable {
    /// How old a tick may be and still fire as a late tick rather than a missed one.
    public static let lateness: Int64 = 30_000

    /// One entry's schedule and where it stands.
    struct Plan: Sendable {
        var entry: CronEntry
        var schedule: CronSchedule
        /// Every tick up to this time has been dealt with.
        var cursor: Timestamp
        /// The first tick after the cursor.
        var next: Timestamp?
        var paused: Bool
    }

    /// The ticks one entry fires now.
    public struct Due: Sendable, Hashable {
        /// The entry.
        public var entry: CronEntry
        /// The ticks to fire, oldest first.
        public var ticks: [Timestamp]
        /// Missed ticks not fired (by the policy, or beyond its limit); `nil` when there were more than
        /// could be counted cheaply.
        public var skipped: Int?
    }

    private var plans: [String: Plan] = [:]

    /// A plan's next tick, as queued.
    struct QueuedTick: Comparable, Sendable {
        var tick: Timestamp
        var name: String

        static func < (lhs: QueuedTick, rhs: QueuedTick) -> Bool { (lhs.tick, lhs.name) < (rhs.tick, rhs.name) }
    }

    /// The next tick of every plan not paused, earliest first, so that a pass looks only at the entries due
    /// (a scheduler may hold 10,000). An element whose plan has another next tick now (fired, retried or
    /// replaced since it was queued) is stale, and dropped when it comes to the top.
    private var queue = Heap<QueuedTick>()

    /// An empty scheduler.
    public init() {}

    /// The names of the entries it schedules.
    public var entryNames: [String] { plans.keys.sorted() }

    /// Replaces the entries, keeping each one's cursor. An entry seen for the first time starts from the
    /// tick its last scheduler noted (`lastTick`), so that ticks missed meanwhile are found, or from
    /// `now` if none was noted.
    ///
    /// - Returns: A line for each entry whose spec or time zone is not valid; such entries do not fire.
    public mutating func update(
        entries: [CronEntry],
        paused: Set<String>,
        now: Timestamp,
        lastTick: (String) -> Timestamp?
    ) -> [String] {
        var problems: [String] = []
        var updated: [String: Plan] = [:]
        for entry in entries {
            let schedule: CronSchedule
            do {
                schedule = CronSchedule(spec: try CronSpec(entry.spec), zone: try CronZone(entry.timeZone))
            } catch {
                problems.append("cron entry \(entry.name): \(error.message)")
                continue
            }
            let isPaused = paused.contains(entry.name)
            if var plan = plans[entry.name] {
                // Resumed: the ticks that passed while it was paused are skipped.
                if plan.paused, !isPaused { plan.cursor = max(plan.cursor, now) }
                plan.entry = entry
                plan.schedule = schedule
                plan.paused = isPaused
                plan.next = schedule.next(after: plan.cursor)
                updated[entry.name] = plan
            } else {
                let cursor = min(lastTick(entry.name) ?? now, now)
                updated[entry.name] = Plan(
                    entry: entry,
                    schedule: schedule,
                    cursor: cursor,
                    next: schedule.next(after: cursor),
                    paused: isPaused
                )
            }
        }
        plans = updated
        queue = Heap(
            plans.compactMap { name, plan in plan.paused ? nil : plan.next.map { QueuedTick(tick: $0, name: name) } }
        )
        return problems
    }

    /// The earliest tick still to fire, over entries not paused; `nil` if none will.
    public var nextTick: Timestamp? { queue.min?.tick }

    /// Whether `queued` is its plan's next tick, the plan not paused.
    private func isCurrent(_ queued: QueuedTick) -> Bool {
        guard let plan = plans[queued.name] else { return false }
        return !plan.paused && plan.next == queued.tick
    }

    /// Drops the stale elements at the top of the queue, so that ``nextTick`` is exact.
    private mutating func dropStaleTops() {
        while let top = queue.min, !isCurrent(top) { queue.removeMin() }
    }

    /// The ticks to fire at `now`, per entry, with the missed-tick policies applied; every cursor moves to
    /// `now`.
    public mutating func due(now: Timestamp) -> [Due] {
        var result: [Due] = []
        while let top = queue.min, top.tick <= now {
            queue.removeMin()
            guard isCurrent(top), var plan = plans[top.name] else { continue }
            let name = top.name
            defer {
                plans[name] = plan
                if let next = plan.next { queue.insert(QueuedTick(tick: next, name: name)) }
            }
            let start = plan.cursor
            plan.cursor = now
            plan.next = plan.schedule.next(after: now)
            let entry = plan.entry
            let keep = (entry.missed == .all ? entry.missedLimit : 1) + 64
            let (ticks, more) = CronScheduler.latestTicks(of: plan.schedule, after: start, upTo: now, keeping: keep)
            let lateSince = now.adding(milliseconds: -CronScheduler.lateness)
            let late = ticks.filter { $0 >= lateSince }
            let missed = ticks.filter { $0 < lateSince }
            let fired: [Timestamp] =
                switch entry.missed {
                case .skip: []
                case .once: Array(missed.suffix(1))
                case .all: Array(missed.suffix(entry.missedLimit))
                }
            let skipped = more ? nil : missed.count - fired.count
            if fired.isEmpty && late.isEmpty && skipped == 0 { continue }
            result.append(Due(entry: entry, ticks: fired + late, skipped: skipped))
        }
        dropStaleTops()
        return result.sorted { $0.entry.name < $1.entry.name }
    }

    /// Takes entry `name` back to just before `tick`, so that the next ``due(now:)`` offers it again: a
    /// tick whose firing failed (a full disk, say) is tried again, as late or missed as it then is.
    public mutating func retry(_ name: String, tick: Timestamp) {
        guard var plan = plans[name], tick <= plan.cursor else { return }
        plan.cursor = tick.adding(milliseconds: -1)
        plan.next = tick
        plans[name] = plan
        if !plan.paused { queue.insert(QueuedTick(tick: tick, name: name)) }
        dropStaleTops()
    }

    /// The next `count` ticks of entry `name` after `now`.
    public func upcoming(_ name: String, after now: Timestamp, count: Int) -> [Timestamp] {
        plans[name]?.schedule.ticks(after: now, count: count) ?? []
    }

    /// The latest `keeping` ticks in `(start, end]`, oldest first, and whether there were more. Looks back
    /// from `end` over windows growing fourfold from an hour, so that the cost follows the ticks kept, not
    /// the length of the downtime.
    public static func latestTicks(
        of schedule: CronSchedule,
        after start: Timestamp,
        upTo end: Timestamp,
        keeping: Int
    ) -> (ticks: [Timestamp], more: Bool) {
        var window: Int64 = 3_600_000
        while true {
            let from = max(start, end.adding(milliseconds: -window))
            var ticks: [Timestamp] = []
            var dropped = false
            var last = from
            while let tick = schedule.next(after: last), tick <= end {
                ticks.append(tick)
                // Trimmed in halves, so that keeping many costs no more per tick than keeping few.
                if ticks.count >= 2 * keeping {
                    ticks.removeFirst(ticks.count - keeping)
                    dropped = true
                }
                last = tick
            }
            if ticks.count > keeping {
                ticks.removeFirst(ticks.count - keeping)
                dropped = true
            }
            // Enough found, or nothing earlier left to look at. With exactly `keeping` found in a window
            // that did not reach back to `start`, earlier ticks may exist: counted as more.
            if dropped || from == start || ticks.count == keeping {
                return (ticks, dropped || (from > start && ticks.count == keeping))
            }
            window = window > Int64.max / 4 ? Int64.max : window * 4
        }
    }
}
