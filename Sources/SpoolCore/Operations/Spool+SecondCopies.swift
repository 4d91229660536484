import Logging
import SpoolSystem
import SystemPackage

/// A power loss can bring back the name a file had before a rename whose source folder was not flushed:
/// btrfs logs the new name when the target folder is flushed, but keeps an old name that a transaction had
/// committed. The task is then in two places. Recovery keeps the copy that the task's history reached last
/// and removes the other: the stale name of the same file is unlinked; a stale file of its own (an older
/// version, left by a rewrite) is deleted only when the newer copy is whole.
extension Spool {
    /// Settles `folder/name`, a second copy of the task that is at `keptFolder/kept`: a second name of the
    /// same file is unlinked; another file goes to `rejected/` with its reason.
    func settleSecondCopy(_ name: String, in folder: String, of kept: String, in keptFolder: String)
        throws(SpoolError)
    {
        let stale: FileStatus
        let current: FileStatus
        do {
            stale = try Syscall.status("\(folder)/\(name)", in: rootDescriptor)
            current = try Syscall.status("\(keptFolder)/\(kept)", in: rootDescriptor)
        } catch .noSuchFileOrDirectory {
            return  // one of them moved on meanwhile: nothing to settle
        } catch {
            throw SpoolError(error, "inspect", "\(folder)/\(name)")
        }
        if stale.inode == current.inode, stale.device == current.device {
            try unlinkSecondName(name, in: folder, keeping: "\(keptFolder)/\(kept)")
        } else {
            let reason = "a second copy of the task at \(keptFolder)/\(kept)"
            let kept = try moveToRejected(name, in: folder, as: name, reason: reason)
            logger.warning(
                "second copy of a task moved to rejected/",
                metadata: ["spool.file": "\(folder)/\(name)", "spool.rejected": "\(kept)"]
            )
        }
    }

    /// Removes `folder/name`, a name of a task that lives on at `kept`.
    func unlinkSecondName(_ name: String, in folder: String, keeping kept: String) throws(SpoolError) {
        let directory = try folders.handle(folder, create: false)
        do {
            try Syscall.unlink(name, in: directory.descriptor)
        } catch .noSuchFileOrDirectory {
            return
        } catch {
            throw SpoolError(error, "remove", "\(folder)/\(name)")
        }
        logger.warning(
            "removed the stale copy of a task",
            metadata: ["spool.file": "\(folder)/\(name)", "spool.kept": "\(kept)"]
        )
    }

    /// The pending copies (in `active/<queue>/` or `scheduled/<queue>/`) of tasks in `running/<queue>/`,
    /// by id: a copy due no earlier than the running file, since a claim keeps a task's due time and a
    /// retry only puts it later. One pass over the queue's pending names for all of `running`, streamed.
    func pendingCopies(of running: [TaskFileName], queue: String) -> [String: (folder: String, name: String)] {
        guard let earliest = running.map(\.due).min() else { return [:] }
        let ids = Set(running.map(\.id))
        var found: [String: (folder: String, name: String)] = [:]
        func scan(_ folder: String) {
            try? Syscall.forEachEntry(in: folder, relativeTo: rootDescriptor) { entry in
                if let name = TaskFileName(entry.name), name.due >= earliest, ids.contains(name.id) {
                    found[name.id] = (folder, entry.name)
                }
                return true
            }
        }
        scan(SpoolLayout.activeFolder(queue: queue))
        let scheduled = "\(SpoolLayout.scheduled)/\(queue)"
        let firstDay = earliest.dayFolderName
        for day in names(in: scheduled) where day >= firstDay {
            for minute in names(in: "\(scheduled)/\(day)") {
                guard let start = Timestamp(dayFolder: day, minuteFolder: minute),
                    start >= earliest.minuteStart
                else { continue }
                scan("\(scheduled)/\(day)/\(minute)")
            }
        }
        return found
    }

    /// Settles `folder/name` if task `id` is also finished, whole, in `done/<queue>/` or `dead/<queue>/`:
    /// the finish stands, and the stale copy goes. `true` if it went.
    func settleFinishedCopy(_ name: String, in folder: String, id: String, queue: String) -> Bool {
        guard let finished = finishedCopy(of: id, queue: queue) else { return false }
        guard (try? readRecord(finished.name, in: finished.folder)) != nil else { return false }
        return (try? unlinkSecondName(name, in: folder, keeping: "\(finished.folder)/\(finished.name)")) != nil
    }

    /// Whether `folder/name` was last renamed or changed before this host booted: only such a name can be
    /// one that a power loss brought back.
    func predatesBoot(_ name: String, in folder: String) -> Bool {
        guard let status = try? Syscall.status("\(folder)/\(name)", in: rootDescriptor) else { return false }
        return status.changeTime.milliseconds < LocalProcess.bootTime
    }

    /// Settles the names in `active/` and `scheduled/` that a power loss may have brought back, once at
    /// start: a name from before this boot of a task that is also finished (whole), or, in `scheduled/`,
    /// also in `active/` as the same file. One listing of every folder, ids matched through ``IDFilter``s
    /// of fixed size, and a `stat` only for the few names they report.
    func settleRestoredNames() -> Int {
        var settled = 0
        let queues = Set(
            [SpoolLayout.active, SpoolLayout.scheduled, SpoolLayout.done, SpoolLayout.dead].flatMap {
                names(in: $0).filter(Names.isValidQueueName)
            }
        )
        for queue in queues.sorted() {
            var finished = IDFilter()
            for state in [SpoolLayout.done, SpoolLayout.dead] {
                for hour in names(in: "\(state)/\(queue)") { addIDs(in: "\(state)/\(queue)/\(hour)", to: &finished) }
            }
            var candidates: [(folder: String, name: TaskFileName)] = []
            /// Lists `folder`, keeping the names `isCandidate` reports; settles them in batches, so that
            /// memory stays bounded whatever a power loss brought back.
            func scan(_ folder: String, _ isCandidate: ([UInt8]) -> Bool) {
                try? Syscall.forEachEntry(in: folder, relativeTo: rootDescriptor) { entry in
                    guard let name = TaskFileName(entry.name) else { return true }
                    if isCandidate(Array(name.id.utf8)) { candidates.append((folder, name)) }
                    if candidates.count >= 1024 { settled += settleRestored(&candidates, queue: queue) }
                    return true
                }
            }
            var active = IDFilter()
            scan(SpoolLayout.activeFolder(queue: queue)) { id in
                active.insert(id)
                return finished.mayContain(id)
            }
            let scheduled = "\(SpoolLayout.scheduled)/\(queue)"
            for day in names(in: scheduled) {
                for minute in names(in: "\(scheduled)/\(day)") {
                    scan("\(scheduled)/\(day)/\(minute)") { finished.mayContain($0) || active.mayContain($0) }
                }
            }
            settled += settleRestored(&candidates, queue: queue)
        }
        return settled
    }

    /// Adds the ids of the finished task files `<id>.json` in `folder` to `filter`.
    private func addIDs(in folder: String, to filter: inout IDFilter) {
        try? Syscall.forEachEntryName(in: folder, relativeTo: rootDescriptor) { name, _ in
            if name.count > 5 { filter.insert(name.prefix(name.count - 5)) }
            return true
        }
    }

    /// Settles the names a filter reported that are from before this boot, and empties the list.
    private func settleRestored(_ candidates: inout [(folder: String, name: TaskFileName)], queue: String) -> Int {
        defer { candidates.removeAll() }
        let boot = LocalProcess.bootTime
        let active = SpoolLayout.activeFolder(queue: queue)
        var settled = 0
        let activeNames = activeNames(of: Set(candidates.filter { $0.folder != active }.map(\.name.id)), queue: queue)
        for (folder, fileName) in candidates {
            let name = fileName.description
            guard let status = try? Syscall.status("\(folder)/\(name)", in: rootDescriptor),
                status.changeTime.milliseconds < boot
            else { continue }
            if settleFinishedCopy(name, in: folder, id: fileName.id, queue: queue) {
                settled += 1
            } else if folder != active, status.linkCount > 1,
                let promoted = try? Syscall.status("\(active)/\(name)", in: rootDescriptor),
                promoted.inode == status.inode, promoted.device == status.device,
                (try? unlinkSecondName(name, in: folder, keeping: "\(active)/\(name)")) != nil
            {
                settled += 1
            } else if folder != active, let activeName = activeNames[fileName.id],
                settlePendingVersions(name, in: folder, and: activeName, in: active, bootTime: boot)
            {
                settled += 1
            }
        }
        return settled
    }

    /// The names in `active/<queue>/` of the tasks `ids`, by id: one listing.
    private func activeNames(of ids: Set<String>, queue: String) -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        var found: [String: String] = [:]
        try? Syscall.forEachEntry(in: SpoolLayout.activeFolder(queue: queue), relativeTo: rootDescriptor) { entry in
            if let name = TaskFileName(entry.name), ids.contains(name.id) { found[name.id] = entry.name }
            return true
        }
        return found
    }

    /// Settles a task waiting under two names from before this boot that are two files, `folder/name` in
    /// `scheduled/` and `activeFolder/activeName`: a rewrite moved it on (a retry after a claim, which adds
    /// an attempt, or a reschedule by hand), and a power loss brought back the name of the version before.
    /// The version with more recorded attempts is the later one; with as many, the one due later (a
    /// reschedule's, which a power loss may otherwise undo, runs no earlier than asked). The other is
    /// deleted, once the kept one is known to be whole. `true` if one went.
    private func settlePendingVersions(
        _ name: String,
        in folder: String,
        and activeName: String,
        in activeFolder: String,
        bootTime boot: Int64
    ) -> Bool {
        guard let scheduledStatus = try? Syscall.status("\(folder)/\(name)", in: rootDescriptor),
            let activeStatus = try? Syscall.status("\(activeFolder)/\(activeName)", in: rootDescriptor),
            scheduledStatus.inode != activeStatus.inode || scheduledStatus.device != activeStatus.device,
            activeStatus.changeTime.milliseconds < boot,
            let scheduled = try? readRecord(name, in: folder),
            let waiting = try? readRecord(activeName, in: activeFolder)
        else { return false }
        let keepScheduled =
            scheduled.attempts.count != waiting.attempts.count
            ? scheduled.attempts.count > waiting.attempts.count : true
        let (staleName, staleFolder, kept) =
            keepScheduled
            ? (activeName, activeFolder, "\(folder)/\(name)") : (name, folder, "\(activeFolder)/\(activeName)")
        return (try? unlinkSecondName(staleName, in: staleFolder, keeping: kept)) != nil
    }

    /// Where task `id`'s file is in `done/<queue>/` or `dead/<queue>/`, if it is there.
    func finishedCopy(of id: String, queue: String) -> (folder: String, name: String)? {
        for state in [SpoolLayout.done, SpoolLayout.dead] {
            for hour in names(in: "\(state)/\(queue)") {
                let folder = "\(state)/\(queue)/\(hour)"
                if (try? Syscall.status("\(folder)/\(id).json", in: rootDescriptor)) != nil {
                    return (folder, "\(id).json")
                }
            }
        }
        return nil
    }
}
