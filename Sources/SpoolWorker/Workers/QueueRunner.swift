import Logging
import SpoolCore

/// Claims and runs the tasks of one queue, oldest first, at most `concurrency` at a time.
///
/// It keeps a bounded, sorted window of the oldest names in `active/<queue>/`, refilled by listing the
/// folder only when the window runs dry, and fed by the watcher's arrivals in between.
final class QueueRunner: Sendable {
    let queue: String
    private let spool: Spool
    private let execution: TaskExecution
    private let concurrency: Int
    private let window: Int
    /// Arrivals in `active/<queue>/`; `nil` asks for a fresh listing.
    let inbox = Mailbox<String?>()

    init(queue: String, spool: Spool, handlers: TaskHandlers, concurrency: Int, window: Int) {
        self.queue = queue
        self.spool = spool
        self.execution = TaskExecution(spool: spool, handlers: handlers)
        self.concurrency = max(concurrency, 1)
        self.window = max(window, 1)
    }

    /// Runs until cancelled; tasks in flight are then interrupted and handed back.
    func run() async {
        let freed = Mailbox<Void>()
        await withDiscardingTaskGroup { group in
            var cursor = ActiveCursor(capacity: window)
            var running = 0
            var needsListing = true
            while !Task.isCancelled {
                while freed.poll() != nil { running -= 1 }
                if running >= concurrency {
                    guard await freed.next() != nil else { return }
                    running -= 1
                    continue
                }
                while let message = inbox.poll() { cursor.note(message, needsListing: &needsListing) }
                if needsListing || (cursor.isEmpty && !cursor.isComplete) {
                    needsListing = false
                    do {
                        let (names, complete) = try spool.oldestActive(queue: queue, limit: window)
                        cursor.reset(names, complete: complete)
                    } catch {
                        // Wait for the next arrival or rescan rather than list again at once.
                        cursor.reset([], complete: true)
                        spool.logger.error(
                            "cannot list active tasks",
                            metadata: ["spool.task.queue": "\(queue)", "spool.error": "\(error)"]
                        )
                    }
                }
                guard let name = cursor.popFirst() else {
                    guard let message = await inbox.next() else { return }
                    cursor.note(message, needsListing: &needsListing)
                    continue
                }
                let claimed: ClaimedTask?
                do {
                    claimed = try spool.claim(name, queue: queue)
                } catch {
                    spool.logger.error(
                        "claim failed",
                        metadata: ["spool.task.id": "\(name.id)", "spool.error": "\(error)"]
                    )
                    continue
                }
                guard let claimed else { continue }
                running += 1
                group.addTask { [execution] in
                    await execution.run(claimed)
                    freed.post(())
                }
            }
        }
    }
}

/// A sorted window of the oldest task names known to wait in one `active/` folder.
struct ActiveCursor {
    private var names: [TaskFileName] = []
    /// Whether `names` holds every file of the folder (so any arrival belongs in it).
    private(set) var isComplete = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var isEmpty: Bool { names.isEmpty }

    mutating func reset(_ names: [TaskFileName], complete: Bool) {
        self.names = names
        isComplete = complete
    }

    mutating func popFirst() -> TaskFileName? {
        names.isEmpty ? nil : names.removeFirst()
    }

    /// Takes in a watcher message: a new name, or (`nil`) a request to list the folder again.
    mutating func note(_ message: String?, needsListing: inout Bool) {
        guard let message else {
            needsListing = true
            return
        }
        guard let name = TaskFileName(message) else { return }
        if !isComplete, let last = names.last, name > last { return }
        if !isComplete, names.isEmpty { return }
        var low = 0
        var high = names.count
        while low < high {
            let middle = (low + high) / 2
            if names[middle] < name { low = middle + 1 } else { high = middle }
        }
        if low < names.count, names[low] == name { return }
        names.insert(name, at: low)
        if names.count > capacity {
            names.removeLast()
            isComplete = false
        }
    }
}
