import Logging
import SpoolCore
import SpoolWatch
import Synchronization

/// What the worker pool is told.
enum PoolMessage: Sendable {
    /// A task file arrived in `active/<queue>/`.
    case arrived(queue: String, name: String)
    /// `active/<queue>/` may hold files not yet seen; `nil` means every queue, and queues not yet known.
    case relist(queue: String?)
    /// The folder `active/<queue>/` appeared.
    case queueAppeared(String)
    /// A queue was paused or resumed.
    case pausesChanged
    /// The attempt to run the task file `name` of `queue` ended, as `ending` says.
    case finished(queue: String, name: TaskFileName, ending: AttemptEnding)
    /// New concurrency, weights and handlers, from a configuration reload.
    case reconfigure(EngineConfiguration, TaskHandlers)
    /// A graceful shutdown began: claim nothing more, let running tasks finish within the grace.
    case drain
    /// The cancel marker of running task file `name` appeared in this process's `running/` folder.
    case cancelRequested(TaskFileName)
}

/// How the pool's attempt to run a task file ended.
enum AttemptEnding: Sendable {
    /// The claim worked: the task ran, or finished without running.
    case claimed
    /// Another process had claimed it first.
    case lostRace
    /// This process has no handler for it; it was handed back.
    case unhandled
    /// The filesystem failed the claim (read-only, I/O error, out of descriptors): the file stays in
    /// `active/`, and claims pause for a backoff.
    case claimFailed
}

/// Claims and runs tasks from every queue of a spool, oldest first within a queue, with at most
/// ``EngineConfiguration/workerConcurrency`` running in all and a per-queue cap, sharing free slots between
/// queues by weight or strict priority. Paused queues are not claimed from.
///
/// Each queue has a bounded, sorted window of its oldest names in `active/<queue>/`, refilled by listing
/// the folder only when the window runs dry, and fed by the watcher's arrivals in between. A pool that loses
/// a claim to another process steps past half of its window, so that pools walking the same names part ways.
///
/// A task this process has no handler for is handed back at once, uncounted, and passed over from then on
/// (until a reload or a rescan), so that it waits in `active/` for a process that can run it.
///
/// When the filesystem fails claims or listings, the pool claims nothing for a backoff (half a second,
/// doubling, to 30 seconds), then lists every queue again; it says so once a minute at most.
final class WorkerPool: Sendable {
    private let inbox: Mailbox<PoolMessage>
    private let spool: Spool
    private let initialConfiguration: EngineConfiguration
    private let initialHandlers: TaskHandlers
    private let watch: @Sendable (String) async -> Void
    private let claimFaults: FaultLog
    private let recordFaults: FaultLog
    /// Queues whose `running/<queue>/<worker>/` folder of this process is watched, for cancel markers.
    private let watchedRunning = Mutex<Set<String>>([])

    /// Creates a pool reading its messages from `inbox`; `watch` places a watch on a folder of the spool
    /// before it is listed.
    init(
        inbox: Mailbox<PoolMessage>,
        spool: Spool,
        configuration: EngineConfiguration,
        handlers: TaskHandlers,
        watch: @escaping @Sendable (String) async -> Void
    ) {
        self.inbox = inbox
        self.spool = spool
        self.initialConfiguration = configuration
        self.initialHandlers = handlers
        self.watch = watch
        self.claimFaults = FaultLog(
            spool.logger,
            failing: "claims failing; tasks wait in active/ and are retried",
            recovered: "claims recovered"
        )
        self.recordFaults = FaultLog(
            spool.logger,
            failing: "recording outcomes failing; finished tasks wait in running/ and are retried",
            recovered: "recording outcomes recovered"
        )
    }

    private struct QueueState {
        var cursor: ActiveCursor
        var needsListing = true
        var running = 0
        /// Task files handed back for want of a handler, passed over; at most ``unhandledLimit``.
        var unhandled: Set<TaskFileName> = []
        /// The queue's rate limit allows no claim before this time.
        var rateBlockedUntil: Timestamp?

        var mayHaveWork: Bool { needsListing || !cursor.isEmpty || !cursor.isComplete }
        var needsRefill: Bool { needsListing || (cursor.isEmpty && !cursor.isComplete) }

        mutating func note(_ name: String) {
            cursor.note(name, needsListing: &needsListing)
        }

        mutating func refill(_ listing: (names: [TaskFileName], complete: Bool)) {
            needsListing = false
            cursor.reset(listing.names, complete: listing.complete)
        }
    }

    /// The most names of tasks without a handler a queue's state keeps; past it they are forgotten (and
    /// each is claimed and handed back once more), so that memory does not grow with such tasks.
    static let unhandledLimit = 4096

    /// Runs until cancelled (tasks running are then handed back at once), or until drained after a
    /// ``PoolMessage/drain``.
    func run() async {
        var configuration = initialConfiguration
        var handlers = initialHandlers
        var queues: [String: QueueState] = [:]
        var paused = readPauses()
        var running = 0
        var drainDeadline: Timestamp?
        var generator = SystemRandomNumberGenerator()
        var fault = FaultBackoff()
        let clock = spool.clock
        let keeper = LeaseKeeper(spool: spool)

        func addQueue(_ queue: String) async {
            guard Names.isValidQueueName(queue), queues[queue] == nil else { return }
            await watch(SpoolLayout.activeFolder(queue: queue))
            queues[queue] = QueueState(cursor: ActiveCursor(capacity: max(configuration.claimWindow, 1)))
        }

        func apply(_ message: PoolMessage) async {
            switch message {
            case .arrived(let queue, let name):
                if queues[queue] == nil { await addQueue(queue) }
                queues[queue]?.note(name)
            case .relist(let queue?):
                queues[queue]?.needsListing = true
            case .relist(nil):
                for queue in spool.activeQueues() { await addQueue(queue) }
                for queue in queues.keys {
                    // A window that still holds the oldest names of a backlog is listed again when it
                    // empties: a rescan (each poll interval in poll mode) lists only the queues with nothing
                    // left to claim or whose whole folder the window holds, so that its cost does not grow
                    // with a backlog.
                    if queues[queue]?.cursor.holdsPartOfFolder != true { queues[queue]?.needsListing = true }
                    queues[queue]?.unhandled.removeAll()
                }
                paused = readPauses()
            case .queueAppeared(let queue):
                await addQueue(queue)
            case .pausesChanged:
                paused = readPauses()
            case .finished(let queue, let name, let ending):
                running -= 1
                queues[queue]?.running -= 1
                switch ending {
                case .claimed:
                    fault.succeeded()
                    claimFaults.succeeded()
                case .lostRace:
                    queues[queue]?.cursor.stepAside(after: name)
                case .unhandled:
                    if queues[queue]?.unhandled.count ?? 0 >= WorkerPool.unhandledLimit {
                        queues[queue]?.unhandled.removeAll()
                    }
                    queues[queue]?.unhandled.insert(name)
                case .claimFailed:
                    // Claims under way when the fault began fail too: one backoff step for all of them.
                    if fault.retryAt == nil { fault.failed(now: clock.now) }
                    queues[queue]?.needsListing = true
                }
            case .reconfigure(let newConfiguration, let newHandlers):
                configuration = newConfiguration
                handlers = newHandlers
                for queue in queues.keys { queues[queue]?.unhandled.removeAll() }
            case .drain:
                drainDeadline = drainDeadline ?? clock.now.adding(seconds: configuration.shutdownGrace)
            case .cancelRequested(let name):
                keeper.cancel(name)
            }
        }

        /// The next queue to claim from, its window refilled if needed; `nil` when no queue may run a task now.
        func nextQueue() -> String? {
            if let retryAt = fault.retryAt {
                guard clock.now >= retryAt else { return nil }
                // The backoff is over: every queue is listed again, since claims and listings were lost.
                fault.retrying()
                for queue in queues.keys { queues[queue]?.needsListing = true }
            }
            while true {
                let candidates = queues.compactMap { queue, state -> (queue: String, weight: Int)? in
                    guard state.mayHaveWork, !paused.contains(queue),
                        state.running < configuration.concurrency(of: queue),
                        state.rateBlockedUntil.map({ $0 <= clock.now }) ?? true
                    else { return nil }
                    return (queue, configuration.weight(of: queue))
                }
                guard let queue = QueueSelection(order: configuration.queueOrder).pick(candidates, using: &generator)
                else { return nil }
                if queues[queue]?.needsRefill == true {
                    guard let listing = list(queue, limit: max(configuration.claimWindow, 1)) else {
                        fault.failed(now: clock.now)
                        return nil
                    }
                    if listing.names.isEmpty {
                        fault.succeeded()
                        claimFaults.succeeded()
                    }
                    queues[queue]?.refill(listing)
                }
                if queues[queue]?.cursor.isEmpty == false { return queue }
            }
        }

        for queue in spool.activeQueues() { await addQueue(queue) }
        let keeping = Task { await keeper.run() }
        defer { keeping.cancel() }
        await withDiscardingTaskGroup { group in
            while true {
                while let message = inbox.poll() { await apply(message) }
                if let deadline = drainDeadline {
                    if running == 0 { return }
                    guard let message = await receive(from: inbox, until: deadline, clock: clock) else {
                        if !Task.isCancelled, clock.now < deadline { continue }
                        spool.logger.notice(
                            "shutdown grace over; handing back running tasks",
                            metadata: ["spool.running": "\(running)"]
                        )
                        group.cancelAll()
                        return
                    }
                    await apply(message)
                    continue
                }
                if running < max(configuration.workerConcurrency, 1), let queue = nextQueue(),
                    mayClaim(from: queue, limit: configuration.rateLimits[queue], queues: &queues, now: clock.now),
                    let name = queues[queue]?.cursor.popFirst()
                {
                    if queues[queue]?.unhandled.contains(name) == true { continue }
                    // The claim (a rename, then reading the file) runs in the task's own child, so that
                    // several claims and their handlers proceed on all cores while this loop goes on.
                    running += 1
                    queues[queue]?.running += 1
                    let execution = TaskExecution(
                        spool: spool,
                        handlers: handlers,
                        keeper: keeper,
                        recordFaults: recordFaults
                    )
                    group.addTask { [inbox] in
                        var ending = AttemptEnding.claimed
                        if !Task.isCancelled {
                            switch self.claim(name, queue: queue) {
                            case .claimed(let task):
                                await self.watchRunningFolder(of: queue)
                                if !(await execution.run(task)) { ending = .unhandled }
                            case .taken: ending = .lostRace
                            case .finishedWithoutRunning: break
                            case nil: ending = .claimFailed
                            }
                        }
                        inbox.post(.finished(queue: queue, name: name, ending: ending))
                    }
                    continue
                }
                if let retryAt = fault.retryAt {
                    if let message = await receive(from: inbox, until: retryAt, clock: clock) { await apply(message) }
                    continue
                }
                // A queue held back only by its rate limit is looked at again when its next token is due
                // (at least a millisecond on, so that a token due now is not waited for without end). With
                // every slot busy, a finish wakes the loop instead.
                let rateBlocked = queues.compactMap { queue, state -> Timestamp? in
                    guard let until = state.rateBlockedUntil, state.mayHaveWork, !paused.contains(queue),
                        state.running < configuration.concurrency(of: queue),
                        running < max(configuration.workerConcurrency, 1)
                    else { return nil }
                    return until
                }
                if let due = rateBlocked.min() {
                    let wake = max(due, clock.now.adding(milliseconds: 1))
                    if let message = await receive(from: inbox, until: wake, clock: clock) { await apply(message) }
                    continue
                }
                guard let message = await inbox.next() else { return }
                await apply(message)
            }
        }
    }

    /// Whether a claim from `queue` may go ahead now: always without a rate limit, else when the queue's
    /// shared token bucket gives a token; when it does not, the queue waits until the next token is due.
    /// A bucket that cannot be read lets the claim go (the claim meets the same fault and backs off).
    private func mayClaim(
        from queue: String,
        limit: RateLimit?,
        queues: inout [String: QueueState],
        now: Timestamp
    ) -> Bool {
        guard let limit else { return true }
        guard case .wait(let until) = (try? spool.takeClaimToken(queue: queue, limit: limit, now: now)) ?? .granted
        else {
            queues[queue]?.rateBlockedUntil = nil
            return true
        }
        queues[queue]?.rateBlockedUntil = until
        return false
    }

    private func readPauses() -> Set<String> {
        do {
            return try spool.pausedQueues()
        } catch {
            spool.logger.error("cannot read paused queues", metadata: ["spool.error": "\(error)"])
            return []
        }
    }

    /// Watches this process's `running/<queue>/<worker>/` folder once it exists (after its first claim), so
    /// that a cancel marker placed there reaches the attempt at once.
    private func watchRunningFolder(of queue: String) async {
        guard watchedRunning.withLock({ $0.insert(queue).inserted }) else { return }
        await watch(SpoolLayout.runningFolder(queue: queue, worker: spool.worker))
    }

    /// The oldest names of `active/<queue>/`; `nil` if the listing failed.
    private func list(_ queue: String, limit: Int) -> (names: [TaskFileName], complete: Bool)? {
        do {
            return try spool.oldestActive(queue: queue, limit: limit)
        } catch {
            claimFaults.failed(
                now: spool.clock.now,
                metadata: ["spool.task.queue": "\(queue)", "spool.error": "\(error)"]
            )
            return nil
        }
    }

    private func claim(_ name: TaskFileName, queue: String) -> ClaimOutcome? {
        do {
            return try spool.attemptClaim(name, queue: queue)
        } catch {
            claimFaults.failed(
                now: spool.clock.now,
                metadata: ["spool.task.id": "\(name.id)", "spool.task.queue": "\(queue)", "spool.error": "\(error)"]
            )
            return nil
        }
    }
}
