import Logging
import SpoolSystem
import SystemPackage

/// What became of a request to cancel a task.
public enum CancelOutcome: Sendable, Hashable {
    /// It was waiting (scheduled or due): it is now in `dead/`, its reason `cancelled`.
    case cancelled
    /// It is running: its worker is told to stop the attempt (see ``Spool/cancel(id:)``), and the task ends
    /// in `dead/` as `cancelled`.
    case requested(worker: String)
}

extension Spool {
    /// The `state_reason` of a cancelled task.
    public static let cancelledReason = "cancelled"

    /// Cancels task `id` in any state but finished: a waiting task goes to `dead/` at once, with the reason
    /// `cancelled`; for a running one, `running/<queue>/<worker>/<due>.<id>.cancel` asks its worker to stop
    /// the attempt (a Swift handler is cancelled, an exec command's process group gets `SIGTERM` then
    /// `SIGKILL`, an HTTP request is aborted), and the task ends in `dead/` as `cancelled`, not retried. If
    /// that worker is gone, the janitor ends it so instead of returning its lease.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if there is no such task, or
    ///   ``SpoolError/Code/wrongState`` if it is already in `done/` or `dead/`.
    @discardableResult
    public func cancel(id: String) throws(SpoolError) -> CancelOutcome {
        try requireWrites("cancel")
        for _ in 0..<Spool.steeringTries {
            let location = try locate(id)
            switch location.state {
            case .scheduled, .active:
                guard let task = try take(location) else { continue }
                try giveUp(task, reason: Spool.cancelledReason, as: .cancelled, now: clock.now)
                return .cancelled
            case .running:
                guard let worker = try requestCancel(location) else { continue }
                return .requested(worker: worker)
            case .done, .dead:
                throw SpoolError(.wrongState, "task \(id) is already finished (\(location.state.rawValue))")
            }
        }
        throw SpoolError(.notFound, "task \(id) kept moving; try again")
    }

    /// Moves waiting task `id` to a new due time: to `scheduled/` if it is later than now, else to
    /// `active/`, to run next.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if there is no such task, or
    ///   ``SpoolError/Code/wrongState`` if it is running or finished.
    public func reschedule(id: String, to due: Timestamp) throws(SpoolError) {
        try requireWrites("reschedule")
        guard due < TaskRecord.latestDue else {
            throw SpoolError(.invalidArgument, "the due time must be before \(TaskRecord.latestDue.rfc3339)")
        }
        for _ in 0..<Spool.steeringTries {
            let location = try locate(id)
            switch location.state {
            case .scheduled, .active:
                if location.due == due { return }
                guard let task = try take(location) else { continue }
                try place(task, due: due) { $0.runAt = due }
                logger.info("rescheduled", metadata: metadata(task).merging(["spool.due": "\(due)"]) { $1 })
                return
            case .running, .done, .dead:
                throw SpoolError(.wrongState, "task \(id) is \(location.state.rawValue), not waiting")
            }
        }
        throw SpoolError(.notFound, "task \(id) kept moving; try again")
    }

    /// Runs task `id` again now: a scheduled task becomes due; a dead task goes back to `active/` with its
    /// attempts kept and a fresh attempt budget (``TaskRecord/attemptBudgetStart``). A task already due is
    /// left as it is.
    ///
    /// - Returns: The state the task is in: ``TaskState/active``.
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if there is no such task, or
    ///   ``SpoolError/Code/wrongState`` if it is running or succeeded.
    @discardableResult
    public func retryNow(id: String) throws(SpoolError) -> TaskState {
        try requireWrites("retry")
        for _ in 0..<Spool.steeringTries {
            let location = try locate(id)
            let now = clock.now
            switch location.state {
            case .active:
                return .active
            case .scheduled:
                guard let task = try take(location) else { continue }
                try place(task, due: now) { $0.runAt = now }
            case .dead:
                // Its unique key was released when it died: held again, unless another task took it.
                let dead = try record(at: location)
                let token = "retry.\(stagingName(.write))"
                try reserveUniqueKey(of: dead, token: token, now: now, sync: true)
                guard let task = try take(location) else {
                    releaseUniqueKey(of: dead, madeFor: token)
                    continue
                }
                try place(task, due: now) { record in
                    record.runAt = now
                    record.attemptBudgetStart = record.attempts.count
                    record.finishedAt = nil
                    record.stateReason = nil
                    record.result = nil
                }
            case .running, .done:
                throw SpoolError(
                    .wrongState,
                    "task \(id) is \(location.state.rawValue); only waiting or dead tasks are retried"
                )
            }
            metrics.retried(location.queue)
            logger.info("retried", metadata: ["spool.task.id": "\(id)", "spool.from": "\(location.state.rawValue)"])
            return .active
        }
        throw SpoolError(.notFound, "task \(id) kept moving; try again")
    }

    /// How many times an operation on a task looks it up again when the task moved meanwhile.
    static let steeringTries = 5

    private func locate(_ id: String) throws(SpoolError) -> TaskLocation {
        guard Names.isValidTaskID(id) else { throw SpoolError(.invalidArgument, "not a task id: \(id)") }
        guard let location = find(id: id) else { throw SpoolError(.notFound, "no task with id \(id)") }
        return location
    }

    /// Takes the task at `location` into this process's `running/` folder by one rename, so that no worker,
    /// sweeper or janitor acts on it meanwhile; `nil` if it moved first.
    ///
    /// Like a claim, it writes a lease expiry as the file's mtime before the rename: a file taken with its
    /// old mtime would look like an expired lease to another process's janitor, which would return it as a
    /// failed attempt under this operation.
    func take(_ location: TaskLocation) throws(SpoolError) -> ClaimedTask? {
        let folder = location.folder
        let name = location.fileName
        let fileName = TaskFileName(due: location.due ?? clock.now, id: location.id)
        let running = SpoolLayout.runningFolder(queue: location.queue, worker: worker)
        let directory: DirectoryHandle
        do {
            directory = try folders.handle(folder, create: false)
        } catch  where error.code == .notFound {
            return nil
        }
        do {
            try Syscall.setModificationTime(name, in: directory.descriptor, to: leaseExpiry(from: clock.now))
        } catch .noSuchFileOrDirectory {
            return nil
        } catch .staleNFSFileHandle {
            // The folder was removed under the cached handle (by another host): the task moved.
            folders.invalidate(folder)
            return nil
        } catch {
            throw SpoolError(error, "take", "\(folder)/\(name)")
        }
        do {
            try move(name, in: folder, to: fileName.description, in: running, rule: .ownName)
        } catch  where error.code == .notFound {
            return nil
        }
        let record: TaskRecord
        do {
            record = try readRecord(fileName.description, in: running, queue: location.queue)
        } catch  where error.code == .corruptRecord {
            try quarantine(fileName.description, in: running, reason: error.message)
            throw error
        }
        return ClaimedTask(record: record, fileName: fileName, worker: worker, claimedAt: nil)
    }

    /// Rewrites a taken task as `change` says and moves it to the folder of `due`.
    func place(_ task: ClaimedTask, due: Timestamp, change: (inout TaskRecord) -> Void) throws(SpoolError) {
        var record = task.record
        change(&record)
        let name = task.fileName.description
        try rewrite(name, in: task.folder, with: record.encoded)
        _ = try moveIntoPlace(name, in: task.folder, record: record, due: due, now: clock.now)
        try? indexPlacement(of: record, due: due)
    }

    /// Places the cancel marker next to a running task; the worker holding it, or `nil` if the task moved
    /// on first.
    private func requestCancel(_ location: TaskLocation) throws(SpoolError) -> String? {
        let folder = location.folder
        let name = location.fileName
        guard let fileName = TaskFileName(name) else { return nil }
        let directory = try folders.handle(folder, create: false)
        let marker = Spool.cancelMarker(for: fileName)
        do {
            try Syscall.makeSymbolicLink(marker, in: directory.descriptor, target: Spool.cancelledReason)
        } catch .fileExists {
            // Asked already.
        } catch .noSuchFileOrDirectory {
            return nil
        } catch {
            throw SpoolError(error, "request cancel", "\(folder)/\(marker)")
        }
        // The task may have finished just before: then the marker is for nothing, and goes.
        guard (try? Syscall.status(name, in: directory.descriptor)) != nil else {
            try? Syscall.unlink(marker, in: directory.descriptor)
            return nil
        }
        logger.info(
            "cancel requested",
            metadata: ["spool.task.id": "\(location.id)", "spool.file": "\(folder)/\(name)"]
        )
        return String(folder.split(separator: "/").last ?? "")
    }

    /// The name of the marker asking the worker of running task file `fileName` to cancel it.
    public static func cancelMarker(for fileName: TaskFileName) -> String {
        "\(fileName.description.dropLast(".json".count)).cancel"
    }

    /// Whether the cancel of claimed `task` was asked.
    public func isCancelRequested(_ task: ClaimedTask) -> Bool {
        (try? Syscall.status("\(task.folder)/\(Spool.cancelMarker(for: task.fileName))", in: rootDescriptor)) != nil
    }

    /// Ends claimed `task` as cancelled: its attempt is recorded with the error `cancelled`, and it goes to
    /// `dead/` with that reason; the cancel marker goes too.
    public func finishCancelled(_ task: ClaimedTask) throws(SpoolError) {
        try finishCancelled(task, ranOn: task.worker)
    }

    /// ``finishCancelled(_:)`` for an attempt that ran on `attemptWorker` (a janitor ending a lost lease).
    func finishCancelled(_ task: ClaimedTask, ranOn attemptWorker: WorkerName) throws(SpoolError) {
        let now = clock.now
        var ended = task
        ended.record.attempts.append(
            Attempt(
                number: task.attempt,
                startedAt: task.claimedAt,
                finishedAt: now,
                worker: "\(attemptWorker)",
                error: Spool.cancelledReason
            )
        )
        try giveUp(ended, reason: Spool.cancelledReason, as: .cancelled, now: now, loggedAs: task)
        metrics.attemptEnded(task, at: now)
        removeCancelMarker(for: task.fileName, in: task.folder)
    }

    /// Removes the cancel marker of task file `fileName` from `folder`, if any.
    func removeCancelMarker(for fileName: TaskFileName, in folder: String) {
        guard let directory = try? folders.handle(folder, create: false) else { return }
        try? Syscall.unlink(Spool.cancelMarker(for: fileName), in: directory.descriptor)
    }
}
