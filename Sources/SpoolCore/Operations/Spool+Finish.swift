import Logging
import SpoolSystem

extension Spool {
    /// Records success: with a `result`, the file is rewritten to hold it; then it moves to
    /// `done/<queue>/<hour>/<id>.json`, where `<hour>` is the UTC hour in which its retention ends. With no result, the
    /// move is a bare rename.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/leaseLost`` if the task was moved by another process
    ///   (its lease had expired); the result is then not recorded.
    public func complete(_ task: ClaimedTask, result: JSONValue? = nil) throws(SpoolError) {
        let now = clock.now
        var record = task.record
        let name = task.fileName.description
        let followUps: [String]
        do throws(SpoolError) {
            // A task of a workflow records its finish in its file first: that decides what follows it.
            if result != nil || record.hasFollowUps {
                record.result = result
                record.finishedAt = now
                try rewrite(
                    name,
                    in: task.folder,
                    with: record.encoded,
                    lease: leaseExpiry(from: clock.now),
                    fence: task.recordedAttempts
                )
            }
            followUps = try stageFollowUps(of: record, .succeeded, now: now)
            let expiry = finishedExpiry(of: record, succeeded: true, now: now)
            do throws(SpoolError) {
                try finish(
                    task,
                    into: SpoolLayout.finishedFolder(SpoolLayout.done, queue: record.queue, expiry: expiry)
                )
            } catch {
                for staged in followUps { discardStaged(staged) }
                throw error
            }
        } catch  where error.code == .leaseLost {
            tracing.endAttempt(task, error: error.message, at: clock.now)
            throw error
        }
        placeFollowUps(followUps)
        metrics.finished(record.queue, as: .succeeded)
        metrics.attemptEnded(task, at: now)
        tracing.finished(
            task,
            outcome: FinishOutcome.succeeded.rawValue,
            attempt: task.attempt,
            attemptError: nil,
            startedAt: now,
            at: clock.now
        )
        logger.info("succeeded", metadata: metadata(task))
    }

    /// Records a failed attempt (time, error, worker) and moves the task to the due-minute folder of its
    /// next try, or to `dead/` when it may not be tried again.
    ///
    /// - Parameters:
    ///   - retryAfter: Seconds until the next try, instead of the task's backoff.
    ///   - permanent: The task must not be tried again.
    /// - Returns: When the task will be tried again, or why it went to `dead/`.
    @discardableResult
    public func fail(
        _ task: ClaimedTask,
        error message: String,
        retryAfter: Double? = nil,
        permanent: Bool = false
    ) throws(SpoolError) -> FailureOutcome {
        try fail(task, error: message, retryAfter: retryAfter, permanent: permanent, ranOn: task.worker)
    }

    /// ``fail(_:error:retryAfter:permanent:)`` for an attempt that ran on `attemptWorker`, which is not the
    /// worker holding the file when a janitor returns the lease of another.
    func fail(
        _ task: ClaimedTask,
        error message: String,
        retryAfter: Double? = nil,
        permanent: Bool = false,
        ranOn attemptWorker: WorkerName
    ) throws(SpoolError) -> FailureOutcome {
        let now = clock.now
        let outcome: FailureOutcome
        do {
            outcome = try recordFailure(
                task,
                error: message,
                retryAfter: retryAfter,
                permanent: permanent,
                ranOn: attemptWorker,
                now: now
            )
        } catch  where error.code == .leaseLost {
            tracing.endAttempt(task, error: error.message, at: clock.now)
            throw error
        }
        metrics.attemptEnded(task, at: now)
        return outcome
    }

    /// Records the failed attempt of ``fail(_:error:retryAfter:permanent:ranOn:)``, ended at `now`, and moves
    /// the task on.
    private func recordFailure(
        _ task: ClaimedTask,
        error message: String,
        retryAfter: Double?,
        permanent: Bool,
        ranOn attemptWorker: WorkerName,
        now: Timestamp
    ) throws(SpoolError) -> FailureOutcome {
        var updated = task
        // A success whose rewrite was made but whose move to done/ was not (the worker died between the two)
        // left its result and time in the file: they are not this task's, which has not succeeded.
        updated.record.result = nil
        updated.record.finishedAt = nil
        let error =
            message.utf8.count > Spool.maximumErrorBytes
            ? String(message.prefix(Spool.maximumErrorBytes / 4)) + "…" : message
        updated.record.attempts.append(
            Attempt(
                number: task.attempt,
                startedAt: task.claimedAt,
                finishedAt: now,
                worker: "\(attemptWorker)",
                error: error
            )
        )
        let attempts = updated.record.attempts.count
        // Attempts before a retry by hand from dead/ do not count against the budget.
        let counted = attempts - min(task.record.attemptBudgetStart ?? 0, attempts)
        let backoff = task.record.backoff ?? configuration.defaultBackoff
        // A tiered schedule says how long to keep trying: the default limit does not cut it short.
        let maxAttempts: Int
        if let limit = task.record.maxAttempts {
            maxAttempts = limit
        } else if case .tiers = backoff {
            maxAttempts = .max
        } else {
            maxAttempts = configuration.defaultMaxAttempts
        }
        if permanent {
            return try giveUp(updated, reason: "permanent failure: \(message)", as: .dead, now: now, loggedAs: task)
        }
        if counted >= maxAttempts {
            return try giveUp(
                updated,
                reason: "attempts spent (\(counted) of \(maxAttempts))",
                as: .dead,
                now: now,
                loggedAs: task
            )
        }
        var generator = SystemRandomNumberGenerator()
        guard let wait = retryAfter ?? backoff.delay(afterAttempt: counted, using: &generator) else {
            return try giveUp(
                updated,
                reason: "retry schedule spent after \(counted) attempts",
                as: .dead,
                now: now,
                loggedAs: task
            )
        }
        // A handler may ask for any wait: it is held to the longest a task may ask for, and the due time
        // to what a file name can hold.
        let delay = wait.isNaN ? 0 : min(max(wait, 0), TaskRecord.maximumDelay)
        let next = min(now.adding(seconds: delay), TaskRecord.latestDue)
        if let deadline = task.record.deadline, next > deadline {
            return try giveUp(
                updated,
                reason: "deadline \(deadline) passed after \(attempts) attempts",
                as: .dead,
                now: now,
                loggedAs: task
            )
        }
        let name = task.fileName.description
        try rewrite(
            name,
            in: task.folder,
            with: updated.record.encoded,
            lease: leaseExpiry(from: clock.now),
            fence: task.recordedAttempts
        )
        do {
            try moveIntoPlace(
                name,
                in: task.folder,
                record: updated.record,
                due: next,
                now: now,
                sync: configuration.durability.syncsMoves
            )
        } catch  where error.code == .notFound {
            throw SpoolError(.leaseLost, "retry \(task.folder)/\(name): moved by another process")
        }
        try? indexPlacement(of: updated.record, due: next)
        metrics.attemptFailed(task.record.queue)
        tracing.finished(
            task,
            outcome: "retry",
            attempt: task.attempt,
            attemptError: error,
            details: [SpanAttributeName.retryAt: next.rfc3339],
            startedAt: now,
            at: clock.now
        )
        logger.warning(
            "failed, will retry",
            metadata: metadata(task).merging(["spool.retry_at": "\(next)", "spool.error": "\(message)"]) { $1 }
        )
        return .retry(at: next)
    }

    /// The longest attempt error kept, in bytes; longer ones are cut.
    static let maximumErrorBytes = 8192

    /// Moves a task to `dead/` with `reason`, rewriting it to record the reason and the time, and counts it
    /// as finished with `outcome`; the log line names the attempt of `loggedAs` (the task as claimed, before
    /// its failed attempt was recorded).
    @discardableResult
    func giveUp(
        _ task: ClaimedTask,
        reason: String,
        as outcome: FinishOutcome,
        now: Timestamp,
        loggedAs claimed: ClaimedTask? = nil
    ) throws(SpoolError) -> FailureOutcome {
        var record = task.record
        record.finishedAt = now
        record.stateReason = reason
        // Not a success: a result left by a success that was never recorded is not kept.
        record.result = nil
        try rewrite(
            task.fileName.description,
            in: task.folder,
            with: record.encoded,
            lease: leaseExpiry(from: clock.now),
            fence: task.recordedAttempts
        )
        let followUps = try stageFollowUps(of: record, outcome == .cancelled ? .cancelled : .failed, now: now)
        let expiry = finishedExpiry(of: record, succeeded: false, now: now)
        do throws(SpoolError) {
            try finish(task, into: SpoolLayout.finishedFolder(SpoolLayout.dead, queue: record.queue, expiry: expiry))
        } catch {
            for staged in followUps { discardStaged(staged) }
            throw error
        }
        placeFollowUps(followUps)
        metrics.finished(record.queue, as: outcome)
        // With `claimed`, the attempt it ran failed, and the record ends with that attempt.
        tracing.finished(
            task,
            outcome: outcome.rawValue,
            attempt: (claimed ?? task).attempt,
            attemptError: claimed != nil ? record.attempts.last?.error : nil,
            details: [SpanAttributeName.reason: reason],
            startedAt: now,
            at: clock.now
        )
        var details: Logger.Metadata = ["spool.reason": "\(reason)"]
        // The last attempt's error, so that the line alone says what went wrong.
        if let last = record.attempts.last { details["spool.error"] = "\(last.error)" }
        if reason == Spool.cancelledReason {
            logger.info("cancelled", metadata: metadata(claimed ?? task))
        } else {
            logger.warning("dead", metadata: metadata(claimed ?? task).merging(details) { $1 })
        }
        return .dead(reason: reason)
    }

    /// When a task finishing at `now` may be deleted: after its retention (its own, else its queue's, else
    /// the spool's), or at its `delete_at` if that comes first.
    func finishedExpiry(of record: TaskRecord, succeeded: Bool, now: Timestamp) -> Timestamp {
        let retention = record.retention ?? configuration.retention(of: record.queue, succeeded: succeeded)
        let retained = now.adding(seconds: retention)
        return record.deleteAt.map { min($0, retained) } ?? retained
    }

    /// Moves a claimed file to `<folder>/<id>.json`, and releases its unique key.
    private func finish(_ task: ClaimedTask, into folder: String) throws(SpoolError) {
        let name = task.fileName.description
        do {
            try move(
                name,
                in: task.folder,
                to: "\(task.record.id).json",
                in: folder,
                sync: configuration.durability.syncsMoves
            )
        } catch  where error.code == .notFound {
            throw SpoolError(.leaseLost, "finish \(task.folder)/\(name): moved by another process")
        }
        releaseUniqueKey(of: task.record, now: clock.now)
        indexFinish(of: task.record, in: folder)
        unindexPlacement(of: task.record, keepingKey: true)
    }

    /// Moves an unreadable task file out of the way, to `rejected/`, with its reason.
    func quarantine(_ name: String, in folder: String, reason: String) throws(SpoolError) {
        _ = try moveToRejected(name, in: folder, as: name, reason: reason)
        logger.warning(
            "corrupt task file moved to rejected/",
            metadata: ["spool.file": "\(folder)/\(name)", "spool.reason": "\(reason)"]
        )
    }
}
