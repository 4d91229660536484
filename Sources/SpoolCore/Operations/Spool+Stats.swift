import Dispatch
import SpoolSystem
import Synchronization

/// How many tasks a queue holds in each state, how its waiting tasks stand, and what it finished lately.
public struct QueueCounts: Sendable, Hashable {
    /// The queue.
    public var queue: String
    /// Count per state.
    public var counts: [TaskState: Int]
    /// The earliest due time of the tasks waiting for a worker (in `active/`): the oldest one's wait.
    public var oldestDue: Timestamp?
    /// Scheduled tasks due within the next minute.
    public var dueNextMinute = 0
    /// Scheduled tasks due within the next hour.
    public var dueNextHour = 0
    /// Tasks waiting for a worker, by how long they have been due: one count per ``QueueCounts/waitBuckets``.
    public var waiting = Array(repeating: 0, count: QueueCounts.waitBuckets.count)
    /// Tasks that succeeded in the last hour.
    public var doneLastHour = 0
    /// Tasks that died in the last hour.
    public var deadLastHour = 0

    /// The buckets of ``waiting``, as qshape has them: a label, and the wait (in milliseconds) below which
    /// a task falls in it.
    public static let waitBuckets: [(label: String, below: Int64)] = [
        ("<1m", 60_000), ("1m+", 300_000), ("5m+", 1_200_000), ("20m+", 3_600_000), ("1h+", 14_400_000),
        ("4h+", 86_400_000), ("1d+", .max),
    ]

    /// The count for `state`.
    public subscript(state: TaskState) -> Int { counts[state, default: 0] }

    /// Empty counts for `queue`.
    init(queue: String) {
        self.queue = queue
        counts = [:]
    }

    /// Adds the counts of `other`, taken of another part of the same queue.
    mutating func add(_ other: QueueCounts) {
        counts.merge(other.counts, uniquingKeysWith: +)
        if let due = other.oldestDue, oldestDue.map({ due < $0 }) ?? true { oldestDue = due }
        dueNextMinute += other.dueNextMinute
        dueNextHour += other.dueNextHour
        for index in waiting.indices { waiting[index] += other.waiting[index] }
        doneLastHour += other.doneLastHour
        deadLastHour += other.deadLastHour
    }
}

/// Counts for a whole spool.
public struct SpoolStats: Sendable, Hashable {
    /// When they were taken.
    public var now: Timestamp
    /// Per queue, sorted by name.
    public var queues: [QueueCounts]
    /// Drops waiting in `incoming/`.
    public var incoming: Int
    /// Files in `rejected/` (not counting `.reason` files).
    public var rejected: Int
    /// Paused queues, sorted.
    public var paused: [String]
}

extension Spool {
    /// Counts every task by queue and state, from names alone, with how the waiting tasks stand (the oldest
    /// wait, a histogram of waits, the tasks due in the next minute and hour) and the tasks finished in the
    /// last hour. Walks the whole tree, listing names only; memory grows with the number of queues, not
    /// tasks.
    ///
    /// The finished tasks of the last hour are looked for in the hour folders where the queue's retention
    /// puts them (a task with a `retention` or `delete_at` of its own is not counted): by name in the
    /// folders of whole hours since, by each file's last write (its finish, or within a lease of it for a
    /// success without a result) in the one folder whose hour began before.
    public func stats() -> SpoolStats {
        let now = clock.now
        // One job per folder of a queue's tasks, or per day folder of its scheduled ones, run on every core:
        // listing the minute folders of a week ahead is most of the work, and the kernel's.
        var jobs: [(state: TaskState, queue: String, folder: String, depth: Int)] = []
        for state in TaskState.allCases {
            for queue in names(in: state.rawValue) where Names.isValidQueueName(queue) {
                let folder = "\(state.rawValue)/\(queue)"
                if state.depth > 1 {
                    for day in names(in: folder) { jobs.append((state, queue, "\(folder)/\(day)", state.depth - 1)) }
                } else {
                    jobs.append((state, queue, folder, state.depth))
                }
            }
        }
        let partials = Mutex([QueueCounts?](repeating: nil, count: jobs.count))
        DispatchQueue.concurrentPerform(iterations: jobs.count) { [jobs] index in
            let job = jobs[index]
            let counts = count(job.state, queue: job.queue, in: job.folder, depth: job.depth, now: now)
            partials.withLock { $0[index] = counts }
        }
        var perQueue: [String: QueueCounts] = [:]
        for partial in partials.withLock({ $0 }) {
            guard let partial else { continue }
            perQueue[partial.queue, default: QueueCounts(queue: partial.queue)].add(partial)
        }
        for queue in names(in: SpoolLayout.active) + names(in: SpoolLayout.scheduled)
        where Names.isValidQueueName(queue) && perQueue[queue] == nil {
            perQueue[queue] = QueueCounts(queue: queue)
        }
        for queue in perQueue.keys {
            perQueue[queue]?.doneLastHour = finishedInLastHour(queue: queue, succeeded: true, now: now)
            perQueue[queue]?.deadLastHour = finishedInLastHour(queue: queue, succeeded: false, now: now)
        }
        let queues = perQueue.keys.sorted().map { perQueue[$0]! }
        let incoming = names(in: SpoolLayout.incoming).filter(Spool.isDropName).count
        let rejected = names(in: SpoolLayout.rejected).filter { !$0.hasSuffix(".reason") }.count
        let paused = ((try? pausedQueues()) ?? []).sorted()
        return SpoolStats(now: now, queues: queues, incoming: incoming, rejected: rejected, paused: paused)
    }

    /// The tasks of `queue` in `state` found `depth` folders below `folder`, read from their names as
    /// bytes (no string per task), with how the waiting ones stand at `now`.
    private func count(_ state: TaskState, queue: String, in folder: String, depth: Int, now: Timestamp)
        -> QueueCounts
    {
        var counts = QueueCounts(queue: queue)
        var total = 0
        let nextMinute = now.adding(seconds: 60).milliseconds
        let nextHour = now.adding(seconds: 3600).milliseconds
        forEachName(below: folder, depth: depth) { _, bytes in
            guard bytes.count > 5, bytes.suffix(5).elementsEqual(".json".utf8) else { return true }
            guard state == .active || state == .scheduled else {
                total += 1
                return true
            }
            guard let due = TaskFileName.dueMilliseconds(utf8: bytes) else { return true }
            total += 1
            if state == .active {
                if counts.oldestDue.map({ due < $0.milliseconds }) ?? true {
                    counts.oldestDue = Timestamp(milliseconds: due)
                }
                let wait = max(0, now.milliseconds - due)
                counts.waiting[QueueCounts.waitBuckets.firstIndex { wait < $0.below } ?? 0] += 1
            } else {
                if due <= nextMinute { counts.dueNextMinute += 1 }
                if due <= nextHour { counts.dueNextHour += 1 }
            }
            return true
        }
        counts.counts[state] = total
        return counts
    }

    /// The tasks of `queue` that succeeded (or died) in the hour before `now`, from the hour folders where
    /// the queue's retention puts a task that finished then. A folder holds the tasks that finished within
    /// one hour: all of them are counted by name when that hour lies wholly in the last one; only in the
    /// folder whose hour straddles its start is each file's last write looked at.
    private func finishedInLastHour(queue: String, succeeded: Bool, now: Timestamp) -> Int {
        let state = succeeded ? SpoolLayout.done : SpoolLayout.dead
        let retention = configuration.retention(of: queue, succeeded: succeeded)
        let since = now.adding(seconds: -3600)
        // A task finished at f lies in the folder of the hour of f + retention.
        let first = since.adding(seconds: retention).hourFolderName
        let last = now.adding(seconds: retention + 3600).hourFolderName
        var count = 0
        for folder in names(in: "\(state)/\(queue)") where folder.utf8.count == 10 && folder >= first && folder <= last
        {
            guard let hour = Timestamp(dayFolder: String(folder.prefix(8)), minuteFolder: folder.suffix(2) + "00")
            else { continue }
            let path = "\(state)/\(queue)/\(folder)"
            let finishedFrom = hour.adding(seconds: -retention)
            if finishedFrom >= since {
                forEachName(below: path, depth: 0) { _, bytes in
                    if bytes.count > 5, bytes.suffix(5).elementsEqual(".json".utf8) { count += 1 }
                    return true
                }
                continue
            }
            for name in names(in: path) where name.hasSuffix(".json") {
                guard let status = try? Syscall.status("\(path)/\(name)", in: rootDescriptor) else { continue }
                if status.modificationTime.milliseconds >= since.milliseconds { count += 1 }
            }
        }
        return count
    }
}

/// A worker process holding tasks of a queue in `running/`.
public struct RunningWorker: Sendable, Hashable {
    /// The worker's name: `<host>.<pid>.<start ticks>`.
    public var worker: String
    /// The queue.
    public var queue: String
    /// The tasks it holds there.
    public var tasks: Int
    /// Whether it is known to be gone: it ran on this host and its process has exited (its leases are
    /// returned by the next janitor pass).
    public var isGone: Bool
}

extension Spool {
    /// The workers holding tasks in `running/` (an empty worker folder is left out), by queue then name.
    public func runningWorkers() -> [RunningWorker] {
        var found: [RunningWorker] = []
        for queue in names(in: SpoolLayout.running).sorted() where Names.isValidQueueName(queue) {
            for folder in names(in: "\(SpoolLayout.running)/\(queue)").sorted() {
                guard let worker = WorkerName(folder) else { continue }
                let tasks = names(in: "\(SpoolLayout.running)/\(queue)/\(folder)").filter { TaskFileName($0) != nil }
                if tasks.isEmpty { continue }
                found.append(
                    RunningWorker(worker: folder, queue: queue, tasks: tasks.count, isGone: worker.isGoneFromThisHost)
                )
            }
        }
        return found
    }
}
