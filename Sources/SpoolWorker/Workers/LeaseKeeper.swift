import Logging
import SpoolCore
import SpoolWatch
import Synchronization

/// Renews the leases of every running attempt of a pool and ends the attempts that overrun their timeout,
/// in one loop for all of them: an attempt costs no timer of its own.
final class LeaseKeeper: Sendable {
    /// Why the keeper ended an attempt.
    enum Expiry: Sendable {
        case timedOut
        case leaseLost(String)
        /// Someone asked to cancel the task (``Spool/cancel(id:)``).
        case cancelled
    }

    private struct Watched {
        var task: ClaimedTask
        var nextHeartbeat: Timestamp
        var deadline: Timestamp
        var expire: @Sendable (Expiry) -> Void
    }

    private let spool: Spool
    private let watched = Mutex<(entries: [UInt64: Watched], nextKey: UInt64, wake: Timestamp?)>(([:], 0, nil))
    /// Told when an attempt is watched that is due before the loop's next wake.
    private let earlier = Mailbox<Void>()

    private let renewalFaults: FaultLog

    init(spool: Spool) {
        self.spool = spool
        self.renewalFaults = FaultLog(
            spool.logger,
            failing: "lease renewals failing; attempts go on, and may be returned when their leases expire",
            recovered: "lease renewals recovered"
        )
    }

    /// Watches `task` until ``release(_:)``: its lease is renewed every third of the lease duration, and
    /// `expire` is called once, at `deadline` or when the lease is found lost.
    func watch(_ task: ClaimedTask, deadline: Timestamp, expire: @escaping @Sendable (Expiry) -> Void) -> UInt64 {
        let entry = Watched(
            task: task,
            nextHeartbeat: spool.clock.now.adding(seconds: spool.configuration.leaseDuration / 3),
            deadline: deadline,
            expire: expire
        )
        let (key, wakesEarlier) = watched.withLock { state in
            let key = state.nextKey
            state.nextKey += 1
            state.entries[key] = entry
            let due = min(entry.nextHeartbeat, entry.deadline)
            // Only an attempt due before the loop's planned wake wakes it, once: the next ones compare
            // with this due time.
            guard state.wake.map({ due < $0 }) ?? true else { return (key, false) }
            state.wake = due
            return (key, true)
        }
        if wakesEarlier { earlier.post(()) }
        return key
    }

    /// Ends the attempt of task file `fileName` as cancelled, if it is watched: its cancel marker appeared.
    func cancel(_ fileName: TaskFileName) {
        let entries = watched.withLock { state in state.entries.values.filter { $0.task.fileName == fileName } }
        for entry in entries where spool.isCancelRequested(entry.task) { entry.expire(.cancelled) }
    }

    /// Stops watching an attempt.
    func release(_ key: UInt64) {
        _ = watched.withLock { $0.entries.removeValue(forKey: key) }
    }

    /// Renews and expires until cancelled.
    func run() async {
        let clock = spool.clock
        while !Task.isCancelled {
            let now = clock.now
            var due: [(Watched, Expiry?)] = []
            let wake = watched.withLock { state -> Timestamp in
                for (key, entry) in state.entries {
                    if now >= entry.deadline {
                        due.append((entry, .timedOut))
                        state.entries[key] = nil
                    } else if now >= entry.nextHeartbeat {
                        due.append((entry, nil))
                        state.entries[key]?.nextHeartbeat = now.adding(seconds: spool.configuration.leaseDuration / 3)
                    }
                }
                let next =
                    state.entries.values.map { min($0.nextHeartbeat, $0.deadline) }.min()
                    ?? now.adding(seconds: 60)
                state.wake = next
                return next
            }
            for (entry, expiry) in due {
                if let expiry {
                    entry.expire(expiry)
                } else {
                    renew(entry)
                }
            }
            _ = await receive(from: earlier, until: wake, clock: clock)
        }
    }

    private func renew(_ entry: Watched) {
        // The watcher tells of a cancel at once; this finds one it could not (poll mode, a marker placed
        // before the folder was watched).
        if spool.isCancelRequested(entry.task) {
            entry.expire(.cancelled)
            return
        }
        do throws(SpoolError) {
            try spool.heartbeat(entry.task)
            renewalFaults.succeeded()
        } catch  where error.code == .leaseLost {
            entry.expire(.leaseLost(error.message))
        } catch {
            renewalFaults.failed(
                now: spool.clock.now,
                metadata: ["spool.task.id": "\(entry.task.record.id)", "spool.error": "\(error)"]
            )
        }
    }
}
