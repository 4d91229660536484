import Logging
import SpoolSystem
import SystemPackage

/// What firing one tick of a cron entry did.
public enum CronFire: Sendable, Hashable {
    /// This call created the tick's task, with this id.
    case fired(id: String)
    /// The tick's task exists already (another scheduler fired it, or this one did before): nothing done.
    case alreadyFired(id: String)
}

extension Spool {
    /// Fires tick `tick` of `entry`: enqueues the entry's task, due at the tick, with the id
    /// ``CronEntry/taskID(name:tick:)`` reserved in `ids/`. The reservation is made without replacing, so
    /// any number of schedulers on one spool fire each tick once; it lasts as long as the task is kept.
    public func fireCron(_ entry: CronEntry, at tick: Timestamp) throws(SpoolError) -> CronFire {
        try fireCron([(entry, tick)])[0]
    }

    /// Fires several ticks as one batch enqueue (one flush of the filesystem for all), as
    /// ``fireCron(_:at:)`` fires one; a tick fired already is left out of the batch. With `notingTicks`
    /// unset, the caller notes the latest ticks itself (``noteCronTick(_:of:)``).
    ///
    /// - Returns: What happened to each tick, in order. On a failure, none was fired.
    public func fireCron(
        _ ticks: [(entry: CronEntry, tick: Timestamp)],
        notingTicks: Bool = true
    ) throws(SpoolError) -> [CronFire] {
        guard !ticks.isEmpty else { return [] }
        let now = clock.now
        var records: [TaskRecord] = []
        records.reserveCapacity(ticks.count)
        for (entry, tick) in ticks {
            do {
                var record = try TaskRecord(json: entry.task(at: tick), now: now) { "" }
                stamp(&record, now: now)
                records.append(record)
            } catch {
                throw SpoolError(.invalidArgument, "cron entry \(entry.name): \(error.reason)")
            }
        }
        let placed = try enqueueBatch(
            records,
            reservingIDs: Array(repeating: true, count: records.count),
            skippingTaken: true,
            source: .cron,
            now: now
        )
        if notingTicks {
            var latest: [String: Timestamp] = [:]
            for (entry, tick) in ticks where latest[entry.name].map({ $0 < tick }) ?? true { latest[entry.name] = tick }
            for (name, tick) in latest { noteCronTick(tick, of: name) }
        }
        return zip(records, placed).map { record, placed in
            placed ? .fired(id: record.id) : .alreadyFired(id: record.id)
        }
    }

    /// Stores `entry` in `cron/entries/<name>.json`, to be fired by every scheduler on the spool.
    /// Callers check its spec first (SpoolCron's `Spool.addCronEntry` does).
    ///
    /// - Throws: ``SpoolError/Code/alreadyExists`` if an entry of that name is stored and `replacing` is
    ///   not set.
    package func storeCronEntry(_ entry: CronEntry, replacing: Bool) throws(SpoolError) {
        let staged = try stage(JSONWriter.encode(entry.json, pretty: true), sync: configuration.durability.syncsMoves)
        do {
            try move(
                staged,
                in: SpoolLayout.tmp,
                to: "\(entry.name).json",
                in: SpoolLayout.cronEntries,
                rule: replacing ? .replacing : .exclusive,
                sync: true
            )
        } catch {
            discardStaged(staged)
            if error.code == .alreadyExists {
                throw SpoolError(.alreadyExists, "cron entry \(entry.name) exists (replace it, or remove it first)")
            }
            throw error
        }
        logger.info("cron entry stored", metadata: ["spool.cron": "\(entry.name)", "spool.cron.spec": "\(entry.spec)"])
    }

    /// Removes the stored entry `name`, with its pause marker; its tasks stay.
    ///
    /// - Throws: ``SpoolError/Code/notFound`` if the spool keeps no such entry.
    public func removeCronEntry(named name: String) throws(SpoolError) {
        try requireCronName(name)
        try requireWrites("remove cron entry")
        let folder = try folders.handle(SpoolLayout.cronEntries, create: true)
        do {
            try Syscall.unlink("\(name).json", in: folder.descriptor)
        } catch .noSuchFileOrDirectory {
            throw SpoolError(.notFound, "no cron entry \(name) in the spool")
        } catch {
            throw SpoolError(error, "remove", "\(SpoolLayout.cronEntries)/\(name).json")
        }
        if configuration.durability.syncsMoves { try? folder.descriptor.synchronize() }
        if let paused = try? folders.handle(SpoolLayout.cronPaused, create: false) {
            try? Syscall.unlink(name, in: paused.descriptor)
        }
        logger.info("cron entry removed", metadata: ["spool.cron": "\(name)"])
    }

    /// The entries kept in the spool, by name, and a line for each file that is not a valid entry.
    public func storedCronEntries() -> (entries: [CronEntry], problems: [String]) {
        var entries: [CronEntry] = []
        var problems: [String] = []
        for file in names(in: SpoolLayout.cronEntries).sorted() where file.hasSuffix(".json") {
            let path = "\(SpoolLayout.cronEntries)/\(file)"
            do throws(SpoolError) {
                let bytes = try read(file, in: SpoolLayout.cronEntries)
                let json: JSONValue
                do { json = try JSONParser.parse(bytes) } catch {
                    throw SpoolError(.corruptRecord, "invalid JSON: \(error)")
                }
                let entry = try CronEntry(json: json)
                guard "\(entry.name).json" == file else {
                    throw SpoolError(.invalidArgument, "holds entry \(entry.name), not \(file.dropLast(5))")
                }
                entries.append(entry)
            } catch {
                problems.append("\(path): \(error.message)")
            }
        }
        return (entries, problems)
    }

    /// Pauses entry `name` (stored or from `spool.yaml`): schedulers fire none of its ticks until
    /// ``resumeCron(_:)``; the ticks that pass meanwhile are skipped.
    public func pauseCron(_ name: String) throws(SpoolError) {
        try requireCronName(name)
        try placePauseMarker(name, in: SpoolLayout.cronPaused)
        logger.info("cron entry paused", metadata: ["spool.cron": "\(name)"])
    }

    /// Resumes entry `name`; resuming an entry that is not paused is harmless.
    public func resumeCron(_ name: String) throws(SpoolError) {
        try requireCronName(name)
        if try removePauseMarker(name, in: SpoolLayout.cronPaused) {
            logger.info("cron entry resumed", metadata: ["spool.cron": "\(name)"])
        }
    }

    /// The entries paused now.
    public func pausedCronEntries() -> Set<String> {
        Set(names(in: SpoolLayout.cronPaused).filter(CronEntry.isValidName))
    }

    /// The latest tick of entry `name` that a scheduler fired or found fired, as far as it noted: a hint
    /// from which a scheduler that starts counts missed ticks. `nil` if none was noted.
    public func lastCronTick(of name: String) -> Timestamp? {
        guard CronEntry.isValidName(name), let folder = try? folders.handle(SpoolLayout.cronLast, create: false),
            let text = try? Syscall.readSymbolicLink(name, in: folder.descriptor),
            let milliseconds = Int64(text), milliseconds >= 0, milliseconds <= TaskRecord.latestDue.milliseconds
        else { return nil }
        return Timestamp(milliseconds: milliseconds)
    }

    /// Notes `tick` as the latest fired tick of entry `name`, unless a later one is noted: the symbolic
    /// link `cron/last/<name>`, replaced by rename. Not flushed: it is a hint, and the reservations of
    /// the tick ids keep a tick from firing twice.
    public func noteCronTick(_ tick: Timestamp, of name: String) {
        guard access.writes, CronEntry.isValidName(name) else { return }
        if let last = lastCronTick(of: name), last >= tick { return }
        try? replaceLink(name, in: SpoolLayout.cronLast, text: "\(tick.milliseconds)", sync: false)
    }

    /// A value that changes when an entry is stored, replaced or removed, or one is paused or resumed: the
    /// modification times of `cron/entries/` and `cron/paused/`.
    public func cronChangeStamp() -> [Int64] {
        [SpoolLayout.cronEntries, SpoolLayout.cronPaused].map {
            (try? Syscall.status($0, in: rootDescriptor))?.modificationTime.milliseconds ?? -1
        }
    }

    private func requireCronName(_ name: String) throws(SpoolError) {
        guard CronEntry.isValidName(name) else {
            throw SpoolError(
                .invalidArgument,
                "invalid cron entry name \"\(name)\" (expected [A-Za-z0-9_-]{1,\(CronEntry.maximumNameLength)})"
            )
        }
    }
}
