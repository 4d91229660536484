import Logging
import SpoolSystem
import SystemPackage

/// The index of deadlines: `deadlines/<YYYYMMDD>/<HHMM>/<deadline>.<id>`, a symbolic link per waiting or
/// running task with a `deadline`, in the folder of the deadline's UTC minute, whose text says where the
/// task is (`<queue> <due in Unix ms>`, as in the key index). It lets a scheduler end a task the moment its
/// deadline passes while it waits, by reading one minute folder at a time.
extension Spool {
    /// The folder and name of `record`'s deadline entry.
    static func deadlineEntry(_ record: TaskRecord, deadline: Timestamp) -> (folder: String, name: String) {
        (
            "\(SpoolLayout.deadlines)/\(deadline.dayFolderName)/\(deadline.minuteFolderName)",
            TaskFileName(due: deadline, id: record.id).description.dropLast(5).description
        )
    }

    /// Writes (or replaces) the index entries of a task placed or moved to due time `due`: its business
    /// key and its deadline, for those it has.
    func indexPlacement(of record: TaskRecord, due: Timestamp, sync: Bool = false) throws(SpoolError) {
        guard record.key != nil || record.deadline != nil || record.deleteAt != nil else { return }
        let text = Spool.keyText(queue: record.queue, due: min(due, TaskRecord.latestDue))
        try indexKey(of: record, text, sync: sync)
        for entry in Spool.timeEntries(of: record) {
            try replaceLink(entry.name, in: entry.folder, text: text, sync: sync)
        }
    }

    /// The entries of `record` in `deadlines/`: its deadline (`<time>.<id>`) and its delete time
    /// (`<time>.<id>.delete`), for those it has.
    static func timeEntries(of record: TaskRecord) -> [(folder: String, name: String)] {
        var entries: [(folder: String, name: String)] = []
        if let deadline = record.deadline { entries.append(deadlineEntry(record, deadline: deadline)) }
        if let deleteAt = record.deleteAt {
            let entry = deadlineEntry(record, deadline: deleteAt)
            entries.append((entry.folder, entry.name + deleteSuffix))
        }
        return entries
    }

    /// The end of the name of a delete-time entry.
    static let deleteSuffix = ".delete"

    /// Removes the index entries of `record`: a placement that failed, or (for its times) a task that
    /// finished.
    func unindexPlacement(of record: TaskRecord, keepingKey: Bool = false) {
        if !keepingKey { unindexKey(of: record) }
        for entry in Spool.timeEntries(of: record) {
            guard let folder = try? folders.handle(entry.folder, create: false) else { continue }
            try? Syscall.unlink(entry.name, in: folder.descriptor)
        }
    }

    /// Ends, as dead with the reason `deadline <time> passed while waiting`, every task waiting (scheduled,
    /// due, or in a paused queue) whose deadline is at or before `now`; a running task's deadline is its
    /// worker's to apply. Reads the minute folders of `deadlines/` up to `now`, and removes them once
    /// passed and empty.
    ///
    /// - Returns: How many tasks it ended.
    @discardableResult
    public func expireDeadlines(now: Timestamp) -> Int {
        guard access.writes else { return 0 }
        var expired = 0
        for day in names(in: SpoolLayout.deadlines).sorted() where day <= now.dayFolderName {
            let dayFolder = "\(SpoolLayout.deadlines)/\(day)"
            for minute in names(in: dayFolder).sorted() {
                guard day < now.dayFolderName || minute <= now.minuteFolderName else { break }
                let folder = "\(dayFolder)/\(minute)"
                guard let directory = try? folders.handle(folder, create: false) else { continue }
                var remaining = 0
                let passed = day < now.dayFolderName || minute < now.minuteFolderName
                for name in names(in: folder) {
                    let deletes = name.hasSuffix(Spool.deleteSuffix)
                    let stem = deletes ? String(name.dropLast(Spool.deleteSuffix.count)) : name
                    guard let entry = TaskFileName(stem + ".json") else {
                        // A link a process made and died before renaming into place.
                        if passed { try? Syscall.unlink(name, in: directory.descriptor) } else { remaining += 1 }
                        continue
                    }
                    guard entry.due <= now else {
                        remaining += 1
                        continue
                    }
                    let text = try? Syscall.readSymbolicLink(name, in: directory.descriptor)
                    switch expire(entry, text: text, deleting: deletes, now: now) {
                    case .ended:
                        expired += 1
                        try? Syscall.unlink(name, in: directory.descriptor)
                    case .gone:
                        try? Syscall.unlink(name, in: directory.descriptor)
                    case .running, .moved:
                        // Its worker applies the deadline, or the next pass looks again.
                        remaining += 1
                    }
                }
                if remaining == 0, passed {
                    try? Syscall.unlink(folder, in: rootDescriptor, isDirectory: true)
                    folders.invalidate(folder)
                }
            }
            if day < now.dayFolderName, names(in: dayFolder).isEmpty {
                try? Syscall.unlink(dayFolder, in: rootDescriptor, isDirectory: true)
                folders.invalidate(dayFolder)
            }
        }
        return expired
    }

    /// What became of the task of a deadline entry.
    private enum Expiry {
        /// It waited, and ended as dead.
        case ended
        /// It is running: its worker applies the deadline.
        case running
        /// It moved while being taken (claimed or promoted): to be looked at again.
        case moved
        /// It finished, or is not in the spool: the entry is stale.
        case gone
    }

    /// Ends the task of deadline entry `entry` (its due time is the deadline) if it waits; with `deleting`,
    /// deletes it (its `delete_at` passed).
    private func expire(_ entry: TaskFileName, text: String?, deleting: Bool, now: Timestamp) -> Expiry {
        guard let location = text.flatMap({ locate(id: entry.id, indexed: $0) }) ?? find(id: entry.id) else {
            return .gone
        }
        switch location.state {
        case .done, .dead: return .gone
        case .running: return .running
        case .scheduled, .active: break
        }
        guard let task = try? take(location) else { return .moved }
        if deleting {
            delete(task, now: now)
            return .ended
        }
        let deadline = task.record.deadline ?? entry.due
        return (try? giveUp(task, reason: "deadline \(deadline) passed while waiting", as: .expired, now: now)) != nil
            ? .ended : .moved
    }

    /// Deletes a waiting task taken into this process's `running/` folder, with its reservations and
    /// index entries, as its `delete_at` asks.
    private func delete(_ task: ClaimedTask, now: Timestamp) {
        guard let folder = try? folders.handle(task.folder, create: false),
            (try? Syscall.unlink(task.fileName.description, in: folder.descriptor)) != nil
        else { return }
        releaseReservation(id: task.record.id)
        releaseUniqueKey(of: task.record, now: now)
        unindexPlacement(of: task.record)
        logger.info("deleted at its delete_at", metadata: metadata(task))
    }
}
