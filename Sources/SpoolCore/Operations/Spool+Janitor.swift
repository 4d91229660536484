import Logging
import SpoolSystem
import Synchronization
import SystemPackage

/// What one janitor pass did.
public struct JanitorReport: Sendable, Hashable, CustomStringConvertible {
    /// Leases returned because they expired.
    public var expiredLeases = 0
    /// Leases returned at once because their worker process on this host is gone.
    public var orphanedLeases = 0
    /// Half-done writes in `tmp/` removed.
    public var discardedWrites = 0
    /// Drops whose ingest was interrupted, ingested again.
    public var resumedDrops = 0
    /// Finished tasks deleted past their retention.
    public var purgedTasks = 0
    /// Second names of tasks that a power loss brought back, removed.
    public var staleCopies = 0
    /// Unique keys that no task held any longer, released.
    public var releasedKeys = 0
    /// Dead tasks deleted, oldest first, because their queue held more than its `dead_limit`.
    public var trimmedDead = 0
    /// Workflow steps settled for a process that died while finishing a task, or that this process could not
    /// finish for a fault (a full disk): next steps and group results placed or removed, members and callbacks
    /// of groups enqueued.
    public var workflowSteps = 0

    /// An empty report.
    public init() {}

    /// The counts as `name=value` pairs, for a log line.
    public var description: String {
        "expired_leases=\(expiredLeases) orphaned_leases=\(orphanedLeases) discarded_writes=\(discardedWrites) "
            + "resumed_drops=\(resumedDrops) purged_tasks=\(purgedTasks) stale_copies=\(staleCopies) "
            + "released_keys=\(releasedKeys) trimmed_dead=\(trimmedDead) workflow_steps=\(workflowSteps)"
    }
}

extension Spool {
    /// One pass of recovery: returns expired and orphaned leases as failed attempts, finishes or rolls back
    /// interrupted work in `tmp/`, and deletes `done/` and `dead/` day folders past retention. Does nothing
    /// on a spool open to read only.
    /// Every step can be repeated, and several janitors may run at once.
    ///
    /// - Parameter atStart: The first pass of a process that serves the spool: it also settles the names
    ///   of pending tasks that a power loss may have brought back (see ``JanitorReport/staleCopies``),
    ///   which costs a `stat` per pending task.
    public func runJanitor(atStart: Bool = false) -> JanitorReport {
        var report = JanitorReport()
        guard access.writes else { return report }
        let now = clock.now
        if atStart { report.staleCopies += settleRestoredNames() }
        // Staging first: a task file that an interrupted rewrite set aside goes back to its worker's folder,
        // whose leases are then returned in the same pass.
        recoverStaging(now: now, into: &report)
        report.workflowSteps += finishStrandedWork()
        recoverLeases(now: now, into: &report)
        purgeFinished(now: now, into: &report)
        // Counting dead tasks lists their folders: once a minute.
        let minute = now.milliseconds / 60_000
        if atStart || lastDeadTrim.exchange(minute, ordering: .relaxed) != minute {
            report.trimmedDead += trimDead()
            report.workflowSteps += recoverGroups(now: now)
        }
        // Keys no task holds are rare (a process died between a finish and its release): looked for at
        // start and once an hour.
        let hour = now.milliseconds / 3_600_000
        if atStart || lastUniqueKeySweep.exchange(hour, ordering: .relaxed) != hour {
            report.releasedKeys += sweepUniqueKeys(now: now)
        }
        metrics.janitorRecovered(report)
        return report
    }

    /// Returns the leases of workers that are gone and the leases that expired. With `everyWorkerGone` (a
    /// restored copy that no process serves), every other worker counts as gone, whatever its host.
    func recoverLeases(now: Timestamp, everyWorkerGone: Bool = false, into report: inout JanitorReport) {
        for queue in names(in: SpoolLayout.running) where Names.isValidQueueName(queue) {
            for workerFolder in names(in: "\(SpoolLayout.running)/\(queue)") {
                // Never this process's own leases: its attempts are running here, and its lease keeper ends
                // the ones that overrun. Returning one would race this process's own finish of it.
                guard let owner = WorkerName(workerFolder), owner != worker else { continue }
                let local = owner.host == WorkerName.current.host
                let gone = everyWorkerGone || owner.isGoneFromThisHost
                let folder = "\(SpoolLayout.running)/\(queue)/\(workerFolder)"
                let entries = names(in: folder)
                var markers = Set(entries.filter { $0.hasSuffix(".group") })
                // After a power loss, a task may also be back under a name it had before or after its claim;
                // only a reboot can follow a power loss, so only files from before this boot are looked for.
                let restored = entries.compactMap(TaskFileName.init).filter {
                    gone && predatesBoot($0.description, in: folder)
                }
                let copies = pendingCopies(of: restored, queue: queue)
                var remaining = 0
                for name in entries {
                    guard let fileName = TaskFileName(name) else { continue }
                    guard let status = try? Syscall.status(folder + "/" + name, in: rootDescriptor) else { continue }
                    let expired = status.modificationTime.milliseconds < now.milliseconds
                    guard gone || expired else {
                        remaining += 1
                        continue
                    }
                    let error =
                        gone
                        ? "worker \(owner) exited during the attempt"
                        : "lease expired at \(Timestamp(milliseconds: status.modificationTime.milliseconds))"
                    // The attempt's processes may outlive its worker: on this host they are stopped before
                    // the task can run again, so that an attempt never overlaps its retry.
                    let marker = Spool.processGroupMarker(for: fileName)
                    if local {
                        let recorded = markers.remove(marker) != nil && stopProcessGroup(marker: marker, in: folder)
                        // Else a command started just before its daemon died, its group not yet recorded.
                        if !recorded { stopProcessGroups(of: fileName.id, ranBy: owner) }
                    }
                    if let copy = copies[fileName.id], !settleRunningCopy(name, in: folder, pending: copy) { continue }
                    if returnLease(fileName, queue: queue, owner: owner, error: error) {
                        if gone { report.orphanedLeases += 1 } else { report.expiredLeases += 1 }
                    }
                }
                if gone {
                    // Groups of attempts whose task moved on before their worker died.
                    for marker in markers { stopProcessGroup(marker: marker, in: folder) }
                    // Cancel markers of tasks that finished before their worker saw them.
                    for name in entries where name.hasSuffix(".cancel") {
                        let task = String(name.dropLast(".cancel".count)) + ".json"
                        if (try? Syscall.status("\(folder)/\(task)", in: rootDescriptor)) == nil,
                            let directory = try? folders.handle(folder, create: false)
                        {
                            try? Syscall.unlink(name, in: directory.descriptor)
                        }
                    }
                }
                if gone && remaining == 0 {
                    try? Syscall.unlink(folder, in: rootDescriptor, isDirectory: true)
                    folders.invalidate(folder)
                }
            }
        }
    }

    /// Returns a leased task as a failed attempt; `false` if another process got to it first.
    ///
    /// The file is first moved out of the lost worker's folder into this process's own, by one rename: a
    /// late finish of the lost attempt then finds it gone and is refused, and if the finish came first,
    /// the rename fails and the lease is not returned. Only one of the two ever takes effect.
    private func returnLease(_ fileName: TaskFileName, queue: String, owner: WorkerName, error: String) -> Bool {
        let name = fileName.description
        let folder = SpoolLayout.runningFolder(queue: queue, worker: worker)
        let lost = SpoolLayout.runningFolder(queue: queue, worker: owner)
        if settleFinishedCopy(name, in: lost, id: fileName.id, queue: queue) {
            return false
        }
        // Asked to be cancelled while its worker was lost: it ends so, and is not tried again.
        let cancelled = (try? Syscall.status("\(lost)/\(Spool.cancelMarker(for: fileName))", in: rootDescriptor)) != nil
        do {
            try move(name, in: lost, to: name, in: folder)
        } catch {
            return false
        }
        if cancelled { removeCancelMarker(for: fileName, in: lost) }
        do {
            let record = try readRecord(name, in: folder, queue: queue)
            let task = ClaimedTask(record: record, fileName: fileName, worker: worker, claimedAt: nil)
            if cancelled {
                try finishCancelled(task, ranOn: owner)
                return true
            }
            _ = try fail(task, error: error, ranOn: owner)
            logger.warning("lease returned", metadata: metadata(task).merging(["spool.reason": "\(error)"]) { $1 })
            return true
        } catch  where error.code == .corruptRecord {
            try? quarantine(fileName.description, in: folder, reason: error.message)
            return false
        } catch {
            return false
        }
    }

    /// Settles a task found both in `running/` and pending (see ``pendingCopies(of:queue:)``); `true` if
    /// the lease is still to be returned. The same file under its name from before the claim loses that
    /// name, and the lost attempt counts; a whole pending file of its own is the task's later state (a
    /// retry's rewrite), and the running name goes; a pending file that does not parse is quarantined.
    private func settleRunningCopy(_ name: String, in folder: String, pending: (folder: String, name: String))
        -> Bool
    {
        guard let running = try? Syscall.status("\(folder)/\(name)", in: rootDescriptor),
            let copy = try? Syscall.status("\(pending.folder)/\(pending.name)", in: rootDescriptor)
        else { return true }
        if running.inode == copy.inode, running.device == copy.device {
            try? unlinkSecondName(pending.name, in: pending.folder, keeping: "\(folder)/\(name)")
            return true
        }
        do {
            _ = try readRecord(pending.name, in: pending.folder)
        } catch  where error.code == .corruptRecord {
            try? quarantine(pending.name, in: pending.folder, reason: error.message)
            return true
        } catch {
            return true
        }
        try? unlinkSecondName(name, in: folder, keeping: "\(pending.folder)/\(pending.name)")
        return false
    }

    /// Files in `tmp/` are `<kind>.<worker>.<sequence>[.<drop name>]`: those of a process that is gone (or
    /// older than the staging timeout) are half-done writes, removed, or interrupted ingests, resumed. With
    /// `everyWorkerGone` (a restored copy that no process serves), those of every other process.
    func recoverStaging(now: Timestamp, everyWorkerGone: Bool = false, into report: inout JanitorReport) {
        for name in names(in: SpoolLayout.tmp) {
            guard let (kind, parts) = leftoverStaging(name, now: now, everyWorkerGone: everyWorkerGone) else {
                continue
            }
            switch kind {
            case .write:
                if isPlacedTask(staged: name) {
                    discardStaged(name)
                    report.staleCopies += 1
                    continue
                }
                releaseReservation(madeFor: name)
                discardStaged(name)
                report.discardedWrites += 1
            case .successor:
                recoverSuccessor(staged: name, expected: parts.count == 6 ? parts[5] : "")
                report.workflowSteps += 1
            case .groupResult:
                recoverGroupResult(staged: name)
                report.workflowSteps += 1
            case .group:
                discardGroupDraft(name)
                report.discardedWrites += 1
            case .setAside:
                guard parts.count == 6, let place = RewritePlace(suffix: parts[5]),
                    let owner = WorkerName("\(parts[1]).\(parts[2]).\(parts[3])")
                else { continue }
                recoverSetAside(name, owner: owner, place: place)
                report.discardedWrites += 1
            case .probe:
                discardStaged(name)
            case .ingest:
                guard parts.count == 6 else { continue }
                if isPlacedTask(staged: name) || isReturnedDrop(staged: name, as: parts[5]) {
                    discardStaged(name)
                    report.staleCopies += 1
                } else if (try? ingestClaimed(name, originalName: parts[5])) != nil {
                    report.resumedDrops += 1
                }
            }
        }
    }

    /// The kind and dot-separated parts of `name`, a file in `tmp/`, if it is a staging file left over: its
    /// writer is gone (every writer but this process, with `everyWorkerGone`), or it is older than the
    /// staging timeout.
    func leftoverStaging(_ name: String, now: Timestamp, everyWorkerGone: Bool) -> (StagingKind, [String])? {
        let parts = name.split(separator: ".", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 5, let kind = StagingKind(rawValue: parts[0]),
            let owner = WorkerName("\(parts[1]).\(parts[2]).\(parts[3])"), owner != worker
        else { return nil }
        if everyWorkerGone || owner.isGoneFromThisHost { return (kind, parts) }
        let status = try? Syscall.status("\(SpoolLayout.tmp)/\(name)", in: rootDescriptor)
        let age = now.milliseconds - (status?.changeTime.milliseconds ?? now.milliseconds)
        return Double(age) > configuration.stagingTimeout * 1000 ? (kind, parts) : nil
    }

    /// Whether the staged file `staged` is a stale copy of a task in place: its enqueue or ingest placed it
    /// by a rename whose removal of the staging name a power loss undid. Either the staging name is a
    /// second name of the placed file, or (when the task was rewritten since, by a retry or a finish) it is
    /// an older file from before this boot whose task is found in place. Only a power loss brings back a
    /// staging name, and it holds the task's id once the task was placed.
    private func isPlacedTask(staged: String) -> Bool {
        guard let status = try? Syscall.status("\(SpoolLayout.tmp)/\(staged)", in: rootDescriptor),
            status.linkCount > 1 || status.changeTime.milliseconds < LocalProcess.bootTime,
            let record = try? readRecord(staged, in: SpoolLayout.tmp),
            let location = find(id: record.id),
            let placed = try? Syscall.status(location.path, in: rootDescriptor)
        else { return false }
        let sameFile = placed.inode == status.inode && placed.device == status.device
        return sameFile || status.changeTime.milliseconds < LocalProcess.bootTime
    }

    /// Whether the claimed drop `staged` is also back in `incoming/` as `name`: its return to `incoming/`
    /// by a link then an unlink (``MoveRule/exclusive``, on a filesystem without `RENAME_NOREPLACE`) was
    /// interrupted between the two. The drop waits there, and is ingested from there.
    private func isReturnedDrop(staged: String, as name: String) -> Bool {
        guard let status = try? Syscall.status("\(SpoolLayout.tmp)/\(staged)", in: rootDescriptor),
            status.linkCount > 1,
            let waiting = try? Syscall.status("\(SpoolLayout.incoming)/\(name)", in: rootDescriptor)
        else { return false }
        return waiting.inode == status.inode && waiting.device == status.device
    }

    /// An enqueue that died after reserving its id (or unique key) but before placing its task left the
    /// reservation naming its staged file: the enqueue never returned, so the reservation goes with the file.
    private func releaseReservation(madeFor staged: String) {
        guard let bytes = try? read(staged, in: SpoolLayout.tmp),
            let record = try? TaskRecord.parse(bytes, now: clock.now, makeID: { "" })
        else { return }
        releaseUniqueKey(of: record, madeFor: staged)
        if record.key != nil || record.deadline != nil || record.deleteAt != nil, find(id: record.id) == nil {
            unindexPlacement(of: record)
        }
        guard let folder = try? folders.handle(SpoolLayout.ids, create: false),
            (try? Syscall.readSymbolicLink(record.id, in: folder.descriptor)) == "\(record.queue)/\(staged)"
        else { return }
        releaseReservation(id: record.id)
    }

    /// Deletes `done/<queue>/<hour>/` and `dead/<queue>/<hour>/` folders whose hour has passed (day folders
    /// of older spools, whose day has passed), with the id reservations and key index entries of their tasks.
    private func purgeFinished(now: Timestamp, into report: inout JanitorReport) {
        for state in [SpoolLayout.done, SpoolLayout.dead] {
            for queue in names(in: state) where Names.isValidQueueName(queue) {
                for folder in names(in: "\(state)/\(queue)") {
                    guard let end = SpoolLayout.finishedFolderEnd(folder), end <= now else { continue }
                    report.purgedTasks += purgeFolder("\(state)/\(queue)/\(folder)")
                }
            }
        }
    }

    private func purgeFolder(_ folder: String) -> Int {
        guard let directory = try? FileDescriptor.openDirectory(folder, in: rootDescriptor) else { return 0 }
        defer { directory.closeQuietly() }
        var count = 0
        let entries = names(in: folder)
        let keyLinks = Set(entries.filter { $0.hasSuffix(".key") })
        for name in entries where !name.hasSuffix(".key") {
            if deleteFinished(name, in: directory, keyLinks: keyLinks) { count += 1 }
        }
        // Any `.key` link left by a process that died between finishing a task and writing its file.
        for name in names(in: folder) where name.hasSuffix(".key") {
            deleteFinished(name, in: directory, keyLinks: [])
        }
        try? Syscall.unlink(folder, in: rootDescriptor, isDirectory: true)
        folders.invalidate(folder)
        if count > 0 { logger.info("purged", metadata: ["spool.folder": "\(folder)", "spool.count": "\(count)"]) }
        return count
    }

    /// Deletes `name` from a finished task folder: a task file with its `ids/` reservation and, when
    /// `keyLinks` holds its `<id>.key`, its key index entry; or a `.key` link with its entry. `true` if a
    /// task was deleted.
    @discardableResult
    func deleteFinished(_ name: String, in directory: FileDescriptor, keyLinks: Set<String>) -> Bool {
        if name.hasSuffix(".key") {
            if let entry = try? Syscall.readSymbolicLink(name, in: directory), entry.hasPrefix(SpoolLayout.keys + "/"),
                !entry.contains("..")
            {
                try? Syscall.unlink(entry, in: rootDescriptor)
            }
            try? Syscall.unlink(name, in: directory)
            return false
        }
        guard name.hasSuffix(".json") else {
            try? Syscall.unlink(name, in: directory)
            return false
        }
        let id = String(name.dropLast(5))
        releaseReservation(id: id)
        guard (try? Syscall.unlink(name, in: directory)) != nil else { return false }
        if keyLinks.contains("\(id).key") { deleteFinished("\(id).key", in: directory, keyLinks: []) }
        return true
    }

    /// The names in `folder` (relative to the root); empty if it does not exist.
    func names(in folder: String) -> [String] {
        (try? Syscall.entries(in: folder, relativeTo: rootDescriptor).map(\.name)) ?? []
    }
}
