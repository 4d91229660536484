import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// The oldest task files in `active/<queue>/`, at most `limit`, in due order.
    ///
    /// Streams the folder, keeping only the `limit` smallest names, so memory stays bounded however many
    /// tasks wait.
    ///
    /// - Returns: The names, and whether they are all the folder held.
    public func oldestActive(queue: String, limit: Int) throws -> (names: [TaskFileName], complete: Bool) {
        var heap = BoundedMaxHeap<TaskFileName>(capacity: limit)
        var complete = true
        do {
            try Syscall.forEachEntryName(in: SpoolLayout.activeFolder(queue: queue), relativeTo: rootDescriptor) {
                bytes,
                _ in
                // Once the window is full, a name sorting after its last one is skipped without being parsed.
                if let last = heap.largest, let due = TaskFileName.dueMilliseconds(utf8: bytes),
                    TaskFileName.sorts(utf8: bytes, due: due, after: last)
                {
                    complete = false
                } else if let name = TaskFileName(utf8: bytes), !heap.insert(name) {
                    complete = false
                }
                return true
            }
        } catch Errno.noSuchFileOrDirectory {
            return ([], true)
        }
        return (heap.sortedElements(), complete)
    }

    /// Claims the task file `name` from `active/<queue>/` for this process's worker.
    ///
    /// The lease expiry is written as the file's mtime before the rename, so a claimed file never shows a
    /// stale lease; exactly one of several racing claimers wins the rename.
    ///
    /// - Returns: The claimed task, or `nil` if another process claimed it first, or if it was finished
    ///   without running (its deadline had passed, or its file was unreadable and went to `rejected/`).
    public func claim(_ name: TaskFileName, queue: String) throws(SpoolError) -> ClaimedTask? {
        guard case .claimed(let task) = try attemptClaim(name, queue: queue) else { return nil }
        return task
    }

    /// Claims the task file `name` from `active/<queue>/` as ``claim(_:queue:)`` does, and says why when
    /// no task came of it.
    public func attemptClaim(_ name: TaskFileName, queue: String) throws(SpoolError) -> ClaimOutcome {
        try requireWrites("claim")
        let now = clock.now
        let active = SpoolLayout.activeFolder(queue: queue)
        let running = SpoolLayout.runningFolder(queue: queue, worker: worker)
        let fileName = name.description
        let activeFolder = try folders.handle(active, create: true)
        let status: FileStatus
        do {
            status = try Syscall.status(fileName, in: activeFolder.descriptor)
            try Syscall.setModificationTime(fileName, in: activeFolder.descriptor, to: leaseExpiry(from: now))
        } catch .noSuchFileOrDirectory {
            return .taken
        } catch {
            throw SpoolError(error, "claim", "\(active)/\(fileName)")
        }
        do {
            try move(fileName, in: active, to: fileName, in: running)
        } catch  where error.code == .notFound {
            return .taken
        }
        let record: TaskRecord
        do {
            record = try readRecord(fileName, in: running, queue: queue)
        } catch  where error.code == .corruptRecord {
            try quarantine(fileName, in: running, reason: error.message)
            return .finishedWithoutRunning
        } catch {
            // Not read (out of descriptors, an I/O error): the file goes back to active/ as it was, or this
            // process's lease would hold a task it does not run, which its own janitor never takes back.
            try? move(fileName, in: running, to: fileName, in: active, rule: .ownName)
            throw error
        }
        // A name older than this boot may be one that a power loss brought back after the task finished.
        if status.changeTime.milliseconds < LocalProcess.bootTime,
            settleFinishedCopy(fileName, in: running, id: record.id, queue: queue)
        {
            return .finishedWithoutRunning
        }
        var task = ClaimedTask(record: record, fileName: name, worker: worker, claimedAt: now)
        tracing.waited(task, at: now)
        if let deadline = record.deadline, deadline < now {
            try giveUp(
                task,
                reason: "deadline \(deadline) passed before attempt \(task.attempt)",
                as: .expired,
                now: now
            )
            return .finishedWithoutRunning
        }
        tracing.startAttempt(&task, at: now)
        metrics.claimed(task, at: now)
        logger.info("started", metadata: metadata(task))
        return .claimed(task)
    }

    /// Pushes the lease of a claimed task forward, as long as its attempt has not overrun its timeout.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/leaseLost`` if the task is no longer there.
    public func heartbeat(_ task: ClaimedTask) throws(SpoolError) {
        let now = clock.now
        var expiry = now.adding(seconds: configuration.leaseDuration)
        if let claimedAt = task.claimedAt {
            let timeout = task.record.timeout ?? configuration.defaultTimeout
            expiry = min(expiry, claimedAt.adding(seconds: timeout + configuration.leaseDuration))
        }
        let folder = try folders.handle(task.folder, create: false)
        do {
            try Syscall.setModificationTime(
                task.fileName.description,
                in: folder.descriptor,
                to: FileTime(milliseconds: expiry.milliseconds)
            )
        } catch .noSuchFileOrDirectory {
            throw SpoolError(.leaseLost, "heartbeat \(task.folder)/\(task.fileName): moved by another process")
        } catch {
            throw SpoolError(error, "heartbeat", "\(task.folder)/\(task.fileName)")
        }
    }

    /// Returns a claimed task to `active/` without counting an attempt, keeping its place in due order
    /// (for a worker shutting down).
    public func handBack(_ task: ClaimedTask) throws(SpoolError) {
        let name = task.fileName.description
        do {
            try move(name, in: task.folder, to: name, in: SpoolLayout.activeFolder(queue: task.record.queue))
        } catch  where error.code == .notFound {
            let lost = SpoolError(.leaseLost, "hand back \(task.folder)/\(name): moved by another process")
            tracing.endAttempt(task, error: lost.message, at: clock.now)
            throw lost
        }
        tracing.handedBack(task, at: clock.now)
        logger.info("handed back", metadata: metadata(task))
    }

    /// Ends the trace of an attempt whose outcome this process will not record: its lease was lost, or it
    /// shuts down first. Its `attempt` span ends with an error status saying `reason`.
    public func abandonAttempt(_ task: ClaimedTask, reason: String) {
        tracing.endAttempt(task, error: reason, at: clock.now)
    }

    func leaseExpiry(from now: Timestamp) -> FileTime {
        FileTime(milliseconds: now.adding(seconds: configuration.leaseDuration).milliseconds)
    }

    /// Log metadata naming `task` and the process holding its file, with the attempt's duration so far once it
    /// has started.
    func metadata(_ task: ClaimedTask) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "spool.task.id": "\(task.record.id)", "spool.task.queue": "\(task.record.queue)",
            "spool.task.type": "\(task.record.type)", "spool.task.attempt": "\(task.attempt)",
            // The process holding the file: the worker, or a janitor returning a lost lease.
            "spool.worker": "\(task.worker)",
        ]
        if let claimedAt = task.claimedAt {
            let milliseconds = max(clock.now.milliseconds - claimedAt.milliseconds, 0)
            metadata["spool.duration_ms"] = "\(milliseconds)"
        }
        return metadata
    }
}
