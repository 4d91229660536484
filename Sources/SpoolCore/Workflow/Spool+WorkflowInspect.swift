import Logging
import SpoolSystem
import SystemPackage

/// One member of a group, as ``Spool/group(id:)`` reports it.
public struct GroupMemberStatus: Sendable, Hashable {
    /// The member's place in the group, from 0.
    public var index: Int
    /// The member's id.
    public var id: String
    /// `done` or `dead` once it finished, else `nil` (waiting or running).
    public var state: TaskState?
    /// Its result, once it succeeded.
    public var result: JSONValue?
    /// Why it failed, once it ended in `dead/`.
    public var error: String?
}

/// Where a group's callback is.
public enum GroupCallbackState: String, Sendable, Hashable {
    /// The group has no callback.
    case none
    /// Waiting for the members; or, once every member finished as its condition asks, for the process that
    /// recorded the last result to take it (the janitor takes it if that process died first).
    case waiting
    /// Taken by a process, being enqueued.
    case enqueuing
    /// Enqueued: it is a task now, under its id.
    case enqueued
    /// Every member finished, but not as the callback's condition asks: it will not run unless a failed
    /// member is retried and succeeds.
    case held
    /// The group was cancelled.
    case cancelled
    /// Not enqueued: its id was in use by another task when the group completed.
    case refused
}

/// A group's state, read from its folder.
public struct GroupStatus: Sendable, Hashable {
    /// What the group is.
    public var manifest: GroupManifest
    /// Every member, in member order.
    public var members: [GroupMemberStatus]
    /// Where its callback is.
    public var callback: GroupCallbackState

    /// Members that succeeded.
    public var succeeded: Int { members.count { $0.state == .done } }
    /// Members that ended in `dead/`.
    public var failed: Int { members.count { $0.state == .dead } }
    /// Members still waiting or running.
    public var pending: Int { members.count { $0.state == nil } }
}

/// One step of a chain, as ``Spool/chain(id:)`` reports it.
public struct ChainStepStatus: Sendable, Hashable {
    /// The step's id, fixed when the chain was accepted.
    public var id: String
    /// Where the step is, or `nil` when it is not enqueued yet (the step before it has not succeeded).
    public var state: TaskState?
}

/// What cancelling a workflow did.
public struct WorkflowCancelReport: Sendable, Hashable {
    /// Waiting tasks moved to `dead/` as cancelled.
    public var cancelled = 0
    /// Running tasks whose workers were asked to stop.
    public var requested = 0
    /// Whether a group's callback will no longer run.
    public var callbackCancelled = false
}

extension Spool {
    /// The state of group `id`: its members' outcomes from their result markers, and its callback.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if there is no such group.
    public func group(id: String) throws(SpoolError) -> GroupStatus {
        guard let manifest = groupManifest(id) else { throw SpoolError(.notFound, "no group \(id)") }
        let folder = GroupLayout.folder(id)
        let entries = Set(names(in: folder))
        var members: [GroupMemberStatus] = []
        members.reserveCapacity(manifest.members.count)
        for (index, member) in manifest.members.enumerated() {
            var status = GroupMemberStatus(index: index, id: member)
            for state in [TaskState.done, .dead] where entries.contains(GroupLayout.result(index, state: state)) {
                if let bytes = try? read(GroupLayout.result(index, state: state), in: folder),
                    let json = try? JSONParser.parse(bytes), let marker = GroupResult(json: json)
                {
                    status.state = state
                    status.result = marker.result
                    status.error = marker.error
                    break
                }
            }
            members.append(status)
        }
        var status = GroupStatus(manifest: manifest, members: members, callback: .none)
        if entries.contains(GroupLayout.cancelled) {
            status.callback = .cancelled
        } else if entries.contains(GroupLayout.refusedCallback) {
            status.callback = .refused
        } else if manifest.callback == nil {
            status.callback = .none
        } else if entries.contains(GroupLayout.callback) {
            // Every member finished as the condition asks, yet the callback is there: the process that recorded
            // the last result is about to take it (or died first, and the janitor will).
            let unmet = manifest.runCallback == .allSucceeded && status.failed > 0
            status.callback = status.pending == 0 && unmet ? .held : .waiting
        } else if entries.contains(where: { GroupLayout.takerOfCallback($0) != nil }) {
            status.callback = .enqueuing
        } else {
            status.callback = .enqueued
        }
        return status
    }

    /// The ids of the groups in the spool, sorted (a ULID id sorts by creation time).
    public func groupIDs() -> [String] {
        names(in: GroupLayout.groups).filter(Names.isValidTaskID).sorted()
    }

    /// Cancels group `id` as a whole: its callback will not run, and every member still waiting or running
    /// is cancelled (see ``cancel(id:)``).
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if there is no such group.
    @discardableResult
    public func cancel(group id: String) throws(SpoolError) -> WorkflowCancelReport {
        try requireWrites("cancel group")
        guard let manifest = groupManifest(id) else { throw SpoolError(.notFound, "no group \(id)") }
        let folder = GroupLayout.folder(id)
        let directory = try folders.handle(folder, create: false)
        var report = WorkflowCancelReport()
        // The callback first: a member finishing meanwhile must not fire it.
        do {
            // A marker of an earlier cancellation may be replaced: the callback was not waiting then.
            try rename(
                GroupLayout.callback,
                in: directory.descriptor,
                to: GroupLayout.cancelled,
                in: directory.descriptor,
                rule: .ownName
            )
            report.callbackCancelled = true
        } catch .noSuchFileOrDirectory {
            // No callback waits (none, or enqueued already): the marker alone says the group was cancelled.
        } catch {
            throw SpoolError(error, "cancel group", "\(folder)/\(GroupLayout.callback)")
        }
        // The marker holds the time of the cancellation, from which the group's retention counts.
        let time = try stage(Array("\(clock.now.rfc3339)\n".utf8), sync: false)
        try? move(time, in: SpoolLayout.tmp, to: GroupLayout.cancelled, in: folder)
        discardStaged(time)
        // Members its creator never placed will not be.
        for name in names(in: folder) where GroupLayout.parseMember(name) != nil {
            try? Syscall.unlink(name, in: directory.descriptor)
        }
        let finished = Set(names(in: folder).compactMap { GroupLayout.parseResult($0)?.index })
        for (index, member) in manifest.members.enumerated() where !finished.contains(index) {
            // A member given as a chain may have reached a later step.
            for step in (try? chain(id: member).map(\.id)) ?? [member] { cancelStep(step, into: &report) }
        }
        logger.info("group cancelled", metadata: ["spool.group": "\(id)"])
        return report
    }

    /// The steps of the chain that task `id` starts: the task itself, then its `on_success` steps in order,
    /// each where it is now.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if there is no such task.
    public func chain(id: String) throws(SpoolError) -> [ChainStepStatus] {
        guard let location = find(id: id) else { throw SpoolError(.notFound, "no task \(id)") }
        let record = try record(at: location)
        var steps = [ChainStepStatus(id: id, state: location.state)]
        for step in WorkflowTemplate.ids(of: record.onSuccess) {
            // A step's id is reserved before the step is placed: without a reservation it is not enqueued
            // yet, and is not searched for in every queue of the spool.
            let state = reservedQueue(id: step) == nil ? nil : find(id: step)?.state
            steps.append(ChainStepStatus(id: step, state: state))
        }
        return steps
    }

    /// Cancels the chain that task `id` starts: every step of it that is waiting or running. The steps after
    /// a cancelled one are never enqueued.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if there is no such task.
    @discardableResult
    public func cancel(chain id: String) throws(SpoolError) -> WorkflowCancelReport {
        try requireWrites("cancel chain")
        var report = WorkflowCancelReport()
        for step in try chain(id: id) where step.state != .done && step.state != .dead && step.state != nil {
            cancelStep(step.id, into: &report)
        }
        return report
    }

    /// Cancels one task of a workflow, counting what it did; a task that finished meanwhile is left.
    private func cancelStep(_ id: String, into report: inout WorkflowCancelReport) {
        switch try? cancel(id: id) {
        case .cancelled: report.cancelled += 1
        case .requested: report.requested += 1
        case nil: break
        }
    }
}
