public import SpoolCore

extension Spool {
    /// Waits until the chain that task `id` starts has ended: its last step finished, or a step ended in
    /// `dead/` (the steps after it never run), or `timeout` seconds passed.
    ///
    /// Each step is waited for as ``waitUntilFinished(id:timeout:recheckInterval:)`` waits for a task. A step
    /// is enqueued only once the step before it has succeeded: the process that finished that step places
    /// it at once (the janitor does, if that process died first), so a step not there yet is looked for
    /// again after 10 ms, then at doubling intervals up to `recheckInterval` seconds.
    ///
    /// - Returns: The chain's steps, each where it is when the wait ends (see ``Spool/chain(id:)``): the
    ///   last one `done` when the chain succeeded.
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if no task has id `id`.
    public func waitUntilFinished(
        chain id: String,
        timeout: Double? = nil,
        recheckInterval: Double = 5
    ) async throws(SpoolError) -> [ChainStepStatus] {
        let deadline = timeout.map { clock.now.adding(seconds: $0) }
        for step in try chain(id: id) {
            guard await waitUntilEnqueued(step.id, until: deadline, recheckInterval: recheckInterval) else { break }
            let finished = try await waitUntilFinished(
                id: step.id,
                timeout: secondsLeft(until: deadline),
                recheckInterval: recheckInterval
            )
            guard finished.state == .done else { break }
        }
        return try chain(id: id)
    }

    /// Waits until group `id` has ended: every member finished and, when the group has a callback, the
    /// callback and the steps after it finished, or the callback is held (a member failed, and the
    /// callback waits for every member to succeed) or cancelled; or until `timeout` seconds passed.
    ///
    /// Members (each with the steps of its chain, when it was given as one) and the callback are waited for
    /// as ``waitUntilFinished(chain:timeout:recheckInterval:)`` waits for the steps of a chain.
    ///
    /// - Returns: The group's state when the wait ends. The callback's steps, and its result, are found
    ///   from its id (``GroupManifest/callback``) with ``Spool/chain(id:)``.
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if there is no such group.
    public func waitUntilFinished(
        group id: String,
        timeout: Double? = nil,
        recheckInterval: Double = 5
    ) async throws(SpoolError) -> GroupStatus {
        let deadline = timeout.map { clock.now.adding(seconds: $0) }
        for member in try group(id: id).members where member.state == nil {
            guard await waitUntilEnqueued(member.id, until: deadline, recheckInterval: recheckInterval) else {
                return try group(id: id)
            }
            // A member given as a chain is done when its chain is.
            _ = try await waitUntilFinished(
                chain: member.id,
                timeout: secondsLeft(until: deadline),
                recheckInterval: recheckInterval
            )
            if let deadline, clock.now >= deadline { return try group(id: id) }
        }
        // A member's result is recorded, and the callback enqueued, just after its finishing move.
        var pause = 0.01
        while true {
            let status = try group(id: id)
            switch status.callback {
            case .enqueued:
                if let callback = status.manifest.callback,
                    await waitUntilEnqueued(callback, until: deadline, recheckInterval: recheckInterval)
                {
                    _ = try await waitUntilFinished(
                        chain: callback,
                        timeout: secondsLeft(until: deadline),
                        recheckInterval: recheckInterval
                    )
                }
                return try group(id: id)
            case .held, .cancelled, .refused:
                return status
            case .none where status.pending == 0:
                return status
            case .none, .waiting, .enqueuing:
                guard await pauseBriefly(&pause, until: deadline, recheckInterval: recheckInterval) else {
                    return status
                }
            }
        }
    }

    /// Waits until task `id` exists, looking again at doubling intervals from 10 ms to `recheckInterval`
    /// seconds.
    ///
    /// - Returns: `false` if `deadline` passed (or the task was cancelled) first.
    private func waitUntilEnqueued(_ id: String, until deadline: Timestamp?, recheckInterval: Double) async -> Bool {
        var pause = 0.01
        while find(id: id) == nil {
            guard await pauseBriefly(&pause, until: deadline, recheckInterval: recheckInterval) else { return false }
        }
        return true
    }

    /// Sleeps `pause` seconds, but not past `deadline`, then doubles `pause` up to `recheckInterval`.
    ///
    /// - Returns: `false`, without sleeping, if `deadline` has passed or the task is cancelled.
    private func pauseBriefly(_ pause: inout Double, until deadline: Timestamp?, recheckInterval: Double) async
        -> Bool
    {
        let now = clock.now
        if let deadline, now >= deadline { return false }
        if Task.isCancelled { return false }
        var wake = now.adding(seconds: pause)
        if let deadline, deadline < wake { wake = deadline }
        do { try await clock.sleep(until: wake) } catch { return false }
        pause = min(pause * 2, max(recheckInterval, 0.01))
        return true
    }

    /// Seconds from now until `deadline`, never negative; `nil` for no deadline.
    private func secondsLeft(until deadline: Timestamp?) -> Double? {
        deadline.map { max(0, Double($0.milliseconds - clock.now.milliseconds) / 1000) }
    }
}
