import Logging
import SpoolCore
import SpoolCron
import Synchronization

/// Fires the cron entries of `spool.yaml` and of the spool (`cron/entries/`) in a process with the
/// scheduling role. Any number of such processes may run on one spool: each tick's task id is reserved
/// without replacing, so each tick fires once, with no leader (see ``Spool/fireCron(_:at:)``).
///
/// Stored entries and pause markers are read again when their folders change (looked at every second),
/// the configuration's entries on a reload. A tick whose firing fails is tried again with backoff.
final class CronLoop: Sendable {
    private let spool: Spool
    private let configured: Mutex<(entries: [CronEntry], version: Int)>

    /// How often the stored entries' folders are looked at, at most, while no tick is due.
    static let lookInterval: Int64 = 1_000
    /// How often an entry's latest tick is noted in `cron/last/`, at most. A note older than the latest
    /// tick only makes a scheduler that starts look at ticks fired already, which their reservations
    /// refuse.
    static let noteInterval: Int64 = 600_000
    /// How often the entries are looked over for ticks to note.
    static let notesLookInterval: Int64 = 60_000

    init(spool: Spool, entries: [CronEntry]) {
        self.spool = spool
        configured = Mutex((entries, 0))
    }

    private var logger: Logger { spool.logger }

    /// Replaces the entries from the configuration (a reload).
    func reload(entries: [CronEntry]) {
        configured.withLock { $0 = (entries, $0.version + 1) }
    }

    /// Runs until cancelled.
    func run() async {
        let clock = spool.clock
        var scheduler = CronScheduler()
        var stamp: [Int64]?
        var version = -1
        var fault = FaultBackoff()
        let faults = FaultLog(
            logger,
            failing: "cron ticks cannot be fired; trying again",
            recovered: "cron ticks are fired again"
        )
        var notes = TickNotes()
        var nextNotes = clock.now
        defer { notes.flush(to: spool) }
        while !Task.isCancelled {
            let now = clock.now
            let (entries, current) = configured.withLock { $0 }
            let changed = spool.cronChangeStamp()
            if changed != stamp || current != version {
                stamp = changed
                version = current
                load(entries, into: &scheduler, now: now)
            }
            let due = scheduler.due(now: now)
            for entry in due { reportMissed(entry) }
            var failed = false
            // One batch for every tick due now: one flush of the filesystem for all of them.
            let ticks = due.flatMap { entry in entry.ticks.map { (entry: entry.entry, tick: $0) } }
            do {
                // Each fired tick's task is logged as enqueued, its id naming the entry and the tick.
                _ = try spool.fireCron(ticks, notingTicks: false)
                for (entry, tick) in ticks { notes.fired(tick, of: entry.name) }
                notes.flushFirst(to: spool)
                if now >= nextNotes {
                    // A look over every entry: once a minute, not at every tick.
                    notes.flush(to: spool, olderThan: now.adding(milliseconds: -CronLoop.noteInterval))
                    nextNotes = now.adding(milliseconds: CronLoop.notesLookInterval)
                }
            } catch {
                // None was fired: each is tried again at the next wake, as late or missed as it then is.
                for entry in due { if let first = entry.ticks.first { scheduler.retry(entry.entry.name, tick: first) } }
                faults.failed(now: clock.now, metadata: ["spool.error": "\(error)"])
                failed = true
            }
            if failed {
                fault.failed(now: clock.now)
            } else {
                fault.succeeded()
                faults.succeeded()
            }
            var wake = now.adding(milliseconds: CronLoop.lookInterval)
            if let next = scheduler.nextTick, next < wake { wake = next }
            if failed, let retryAt = fault.retryAt { wake = retryAt }
            do { try await clock.sleep(until: wake) } catch { return }
        }
    }

    /// Says that an entry's missed ticks were skipped, by its policy or beyond its limit.
    private func reportMissed(_ due: CronScheduler.Due) {
        if let skipped = due.skipped, skipped == 0 { return }
        logger.notice(
            "cron ticks missed",
            metadata: [
                "spool.cron": "\(due.entry.name)", "spool.cron.skipped": "\(due.skipped.map(String.init) ?? "many")",
                "spool.cron.missed": "\(due.entry.missed.rawValue)",
            ]
        )
    }

    /// Gives the scheduler the configured and stored entries; a stored entry with the name of a configured
    /// one is ignored (and said so).
    private func load(_ configuredEntries: [CronEntry], into scheduler: inout CronScheduler, now: Timestamp) {
        let stored = spool.storedCronEntries()
        var entries = configuredEntries
        let names = Set(configuredEntries.map(\.name))
        for entry in stored.entries {
            if names.contains(entry.name) {
                logger.warning(
                    "cron entry in the spool has the name of one in the configuration; the configuration's fires",
                    metadata: ["spool.cron": "\(entry.name)"]
                )
            } else {
                entries.append(entry)
            }
        }
        var problems = stored.problems
        problems += scheduler.update(entries: entries, paused: spool.pausedCronEntries(), now: now) {
            spool.lastCronTick(of: $0)
        }
        for problem in problems { logger.error("cron entry not scheduled", metadata: ["spool.error": "\(problem)"]) }
    }
}

/// The latest tick each entry fired, noted in the spool at most every ``CronLoop/noteInterval``.
private struct TickNotes {
    private var latest: [String: (tick: Timestamp, noted: Bool)] = [:]
    private var lastNote: [String: Timestamp] = [:]

    /// Entries that fired and were never noted by this loop: noted at once, so that a scheduler starting
    /// after a stop finds where new entries stand.
    private var first: Set<String> = []

    mutating func fired(_ tick: Timestamp, of name: String) {
        if let current = latest[name], current.tick >= tick { return }
        latest[name] = (tick, false)
        if lastNote[name] == nil { first.insert(name) }
    }

    /// Notes the ticks of the entries never noted yet.
    mutating func flushFirst(to spool: Spool) {
        for name in first {
            guard let value = latest[name], !value.noted else { continue }
            spool.noteCronTick(value.tick, of: name)
            latest[name] = (value.tick, true)
            lastNote[name] = value.tick
        }
        first.removeAll()
    }

    /// Notes every tick not noted yet, or only those of entries last noted before `before`.
    mutating func flush(to spool: Spool, olderThan before: Timestamp? = nil) {
        for (name, value) in latest where !value.noted {
            if let before, let last = lastNote[name], last > before { continue }
            spool.noteCronTick(value.tick, of: name)
            latest[name] = (value.tick, true)
            lastNote[name] = value.tick
        }
    }
}
