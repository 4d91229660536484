import Logging
import SpoolSystem

/// How a task of a workflow ended, for what its finish brings about.
enum FinishKind {
    case succeeded
    case failed
    /// Cancelled by hand: no `on_failure` step follows, but its group learns that it ended.
    case cancelled
}

extension Spool {
    /// Writes to `tmp/`, before a task's finishing move, what that finish must bring about: the first step of
    /// its `on_success` or `on_failure`, and its group's result marker (unless the task is a member given as a
    /// chain and the next step, which carries the membership on, follows). Each is placed once the move is made
    /// (``placeFollowUps(_:)``); if the process dies in between, the janitor places it when the task did
    /// reach its state, and removes it when it did not. So the next step exists if and only if the finish was
    /// recorded, and only once: its id was fixed when the workflow was accepted and is reserved as it is
    /// placed.
    ///
    /// - Returns: The staged names, to place after the move or to discard if it fails.
    func stageFollowUps(of record: TaskRecord, _ kind: FinishKind, now: Timestamp) throws(SpoolError) -> [String] {
        guard record.hasFollowUps else { return [] }
        let sync = configuration.durability.syncsEnqueue
        var staged: [String] = []
        do {
            let steps = kind == .succeeded ? record.onSuccess : kind == .failed ? record.onFailure : nil
            var continuesMember = false
            if let steps = steps?.arrayValue, let next = nextStep(after: record, steps: steps, kind, now: now) {
                let state = kind == .succeeded ? TaskState.done : .dead
                staged.append(try stage(next.encoded, sync: sync, kind: .successor, suffix: state.rawValue))
                continuesMember = next.group != nil
            }
            // A group member given as a chain ends with its chain: the last step records the result.
            if !continuesMember, let marker = GroupResult(member: record, kind) {
                staged.append(try stage(marker.encoded, sync: sync, kind: .groupResult))
            }
            if sync, !staged.isEmpty { try synchronizeFolder(SpoolLayout.tmp) }
        } catch {
            for name in staged { discardStaged(name) }
            throw error
        }
        return staged
    }

    /// The task `steps` (a stored `on_success` or `on_failure` list) starts after `record` ended as `kind`:
    /// the first step, with the rest as its `on_success`, in `record`'s queue unless it names one, with the
    /// result (or the failure) passed in its payload, and `record`'s group membership after a success. `nil`, logged, if the step cannot be made now (its
    /// `delay` reaches past the latest due time).
    func nextStep(after record: TaskRecord, steps: [JSONValue], _ kind: FinishKind, now: Timestamp) -> TaskRecord? {
        var next: TaskRecord
        do {
            next = try WorkflowTemplate.task(from: steps, queue: record.queue, now: now, makeID: { ids.next(at: now) })
        } catch {
            logger.error(
                "next step not enqueued",
                metadata: metadata(record).merging(["spool.reason": "\(error.reason)"]) { $1 }
            )
            return nil
        }
        next.parent = record.id
        next.workflow = record.workflow ?? record.id
        if kind == .succeeded {
            // The next step of a group member given as a chain is that member now.
            next.group = record.group
            next.groupIndex = record.groupIndex
        }
        if next.trace == nil { next.trace = record.trace }
        if next.passResult != false {
            next.payload =
                kind == .succeeded
                ? WorkflowTemplate.passing(record.result ?? .null, as: "parent_result", into: next.payload)
                : WorkflowTemplate.passing(failure(of: record), as: "parent_error", into: next.payload)
        }
        stamp(&next, now: now)
        return next
    }

    /// What an `on_failure` step is told of the task that failed.
    private func failure(of record: TaskRecord) -> JSONValue {
        var members = [JSONMember("id", .string(record.id)), JSONMember("type", .string(record.type))]
        if let error = record.attempts.last?.error { members.append(JSONMember("error", .string(error))) }
        if let reason = record.stateReason { members.append(JSONMember("reason", .string(reason))) }
        return .object(members)
    }

    /// Places what ``stageFollowUps(of:_:now:)`` staged, now that the task's finishing move is made. A step
    /// that cannot be placed is logged and left to this process's janitor (``finishStrandedWork()``).
    func placeFollowUps(_ staged: [String]) {
        for name in staged where !placeFollowUp(name) { strand(.followUp(staged: name)) }
    }

    /// Places one staged follow-up, a next step or a group's result marker; `false`, logged, if it is still
    /// to be placed.
    func placeFollowUp(_ name: String) -> Bool {
        do {
            if name.hasPrefix(StagingKind.successor.rawValue + ".") {
                try placeSuccessor(staged: name)
            } else {
                try placeGroupResult(staged: name)
            }
            return true
        } catch
            where error.code == .notFound
            && (try? Syscall.status("\(SpoolLayout.tmp)/\(name)", in: rootDescriptor)) == nil
        {
            // Placed or discarded by another process meanwhile.
            return true
        } catch {
            logger.error(
                "workflow step not placed yet",
                metadata: ["spool.file": "\(SpoolLayout.tmp)/\(name)", "spool.error": "\(error.message)"]
            )
            return false
        }
    }

    /// Places the staged next step `staged`: reserves its id (so that a second copy staged by another
    /// process for the same finish is refused) and renames it into place.
    func placeSuccessor(staged: String) throws(SpoolError) {
        let record: TaskRecord
        do {
            record = try readRecord(staged, in: SpoolLayout.tmp)
        } catch  where error.code == .corruptRecord {
            discardStaged(staged)
            throw error
        }
        let now = clock.now
        do {
            try reserve(id: record.id, queue: record.queue, token: staged, searching: false)
        } catch  where error.code == .alreadyExists {
            // Placed already, from another copy of the same finish; or a task from elsewhere took the id.
            if !isReservedByAStep(record.id) {
                logger.error(
                    "next step not enqueued: its id is in use",
                    metadata: metadata(record).merging(["spool.task.parent": "\(record.parent ?? "")"]) { $1 }
                )
            }
            discardStaged(staged)
            return
        }
        let due = placedDue(record, now: now)
        try indexPlacement(of: record, due: due, sync: true)
        try placeDurably(staged, record: record, due: record.runAt ?? now, now: now)
        metrics.enqueued(record.queue, source: .workflow)
        logger.info(
            "enqueued",
            metadata: metadata(record).merging(["spool.task.parent": "\(record.parent ?? "")"]) { $1 }
        )
    }

    /// The janitor's part for a staged next step whose writer is gone: placed if its predecessor reached the
    /// state the name ends with, else removed (the finish never happened, and the task will run again).
    func recoverSuccessor(staged: String, expected state: String) {
        guard let record = try? readRecord(staged, in: SpoolLayout.tmp), let parent = record.parent,
            let location = find(id: parent), location.state.rawValue == state
        else {
            if let bytes = try? read(staged, in: SpoolLayout.tmp),
                let record = try? TaskRecord.parse(bytes, now: clock.now, makeID: { "" }),
                reservedBy(staged, id: record.id, queue: record.queue)
            {
                releaseReservation(id: record.id)
            }
            discardStaged(staged)
            return
        }
        // A power loss can bring back the staging name of a step placed since: it is that step, not another.
        if find(id: record.id) != nil {
            discardStaged(staged)
            return
        }
        do {
            try placeSuccessor(staged: staged)
        } catch {
            logger.error(
                "workflow step not placed yet",
                metadata: ["spool.file": "\(SpoolLayout.tmp)/\(staged)", "spool.error": "\(error.message)"]
            )
        }
    }

    /// Whether `id` is reserved by the placement of a workflow step (its reservation names a staged step).
    private func isReservedByAStep(_ id: String) -> Bool {
        guard let folder = try? folders.handle(SpoolLayout.ids, create: false),
            let text = try? Syscall.readSymbolicLink(id, in: folder.descriptor),
            let token = text.split(separator: "/").last
        else { return false }
        return token.hasPrefix(StagingKind.successor.rawValue + ".")
    }

    /// Whether `id` is reserved by the operation `token`.
    func reservedBy(_ token: String, id: String, queue: String) -> Bool {
        guard let folder = try? folders.handle(SpoolLayout.ids, create: false) else { return false }
        return (try? Syscall.readSymbolicLink(id, in: folder.descriptor)) == "\(queue)/\(token)"
    }
}

extension Spool {
    /// Refuses a task whose workflow steps give an id that is in use: a step is enqueued later, when no
    /// producer is there to be told.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/alreadyExists`` naming the step.
    func checkStepIDs(of record: TaskRecord) throws(SpoolError) {
        func check(_ steps: JSONValue?, _ field: String) throws(SpoolError) {
            for (position, step) in (steps?.arrayValue ?? []).enumerated() {
                if let id = step["id"]?.stringValue, reservedQueue(id: id) != nil {
                    throw SpoolError(.alreadyExists, "\(field): step \(position + 1): id: \"\(id)\" is already in use")
                }
                try check(step["on_failure"], "\(field): step \(position + 1): on_failure")
            }
        }
        try check(record.onSuccess, "on_success")
        try check(record.onFailure, "on_failure")
    }
}
