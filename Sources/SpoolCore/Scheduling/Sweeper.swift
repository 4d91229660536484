import Logging
import SpoolSystem
import SystemPackage

/// Moves scheduled tasks into `active/` when they fall due.
///
/// It reads only the due-minute folders of the current minute (and, once at start or after a long pause,
/// every older folder left over), keeps a timer per file found there, and promotes each file by rename when
/// its time comes. Its work per minute follows the tasks due in that minute, never the number pending.
///
/// It is driven from outside: ``advance(now:)`` does what is due and says when to call again; the watcher
/// reports arrivals with ``fileArrived(in:name:now:)`` and new folders with ``folderCreated(in:name:now:)``.
/// Several sweepers (in several processes) may work on one spool: a file is promoted by exactly one rename.
public final class Sweeper {
    private struct Timer {
        var name: TaskFileName
        var folder: String
        var queue: String
    }

    private let spool: Spool
    private var currentMinute: Timestamp?
    private var timers = BinaryHeap<Timer>(precedes: { $0.name.due < $1.name.due })
    private var known = Set<String>()
    /// Minute folders at or before the current minute that may still hold files, with their timer counts.
    private var openFolders: [String: Int] = [:]
    private var foldersToWatch: [String] = []
    /// Due files whose promotion failed, tried again once ``promotion`` allows.
    private var failedPromotions: [Timer] = []
    private var promotion = FaultBackoff()
    private let promotionFaults: FaultLog
    private var watched = Set<String>()
    /// A long pause (suspend, clock jump) past which a full scan replaces minute-by-minute catch-up.
    private static let catchUpLimit: Int64 = 60

    /// Creates a sweeper for `spool`.
    public init(spool: Spool) {
        self.spool = spool
        self.promotionFaults = FaultLog(
            spool.logger,
            failing: "promotion failing; due tasks wait in scheduled/ and are retried",
            recovered: "promotion recovered"
        )
    }

    /// The number of files waiting for their timer, or for a failed promotion to be tried again.
    public var pendingTimers: Int { timers.count + failedPromotions.count }

    /// Folders that came into view since the last call, to be watched; after the watch is in place, call
    /// ``relist(_:now:)`` for each, since files may have landed before it.
    public func takeFoldersToWatch() -> [String] {
        defer { foldersToWatch.removeAll() }
        return foldersToWatch.filter { watched.insert($0).inserted }
    }

    /// Promotes every file due by `now`, opening the folders of minutes that began since the last call.
    ///
    /// - Returns: When to call again: the next due time, or the start of the next minute.
    @discardableResult
    public func advance(now: Timestamp) -> Timestamp {
        let minute = now.minuteStart
        if let current = currentMinute, minute < current {
            // The clock was stepped back (NTP does this): the minutes between will begin again, and tasks
            // placed now may be due in them, so their folders are opened as they begin, as any others.
            spool.logger.warning(
                "the clock went back",
                metadata: ["spool.from": "\(current)", "spool.to": "\(minute)"]
            )
            currentMinute = minute
        }
        if let current = currentMinute, minute > current {
            let minutes = (minute.milliseconds - current.milliseconds) / 60_000
            if minutes > Sweeper.catchUpLimit {
                fullScan(through: minute)
            } else {
                let queues = scheduledQueues()
                for step in 1...minutes {
                    let start = current.adding(milliseconds: step * 60_000)
                    for queue in queues { load(SpoolLayout.scheduledFolder(queue: queue, due: start), queue: queue) }
                }
            }
            currentMinute = minute
        } else if currentMinute == nil {
            fullScan(through: minute)
            currentMinute = minute
        }
        promoteDue(now: now)
        removeDrainedFolders(before: minute)
        let next = timers.first.map { min($0.name.due, minute.nextMinuteStart) } ?? minute.nextMinuteStart
        // While promotions fail, due files wait for the next try rather than being tried in a loop.
        guard let retryAt = promotion.retryAt else { return next }
        return next <= now ? retryAt : min(next, retryAt)
    }

    /// A file appeared in `folder` (a minute folder); it gets a timer if its minute has begun.
    public func fileArrived(in folder: String, name: String, now: Timestamp) {
        guard let (queue, start) = Sweeper.parseMinuteFolder(folder), start <= now.minuteStart,
            let fileName = TaskFileName(name)
        else { return }
        addTimer(fileName, folder: folder, queue: queue)
        if openFolders[folder] == nil { openFolders[folder] = 0 }
    }

    /// A folder `name` appeared in `parent`, somewhere under `scheduled/`: a queue, day or minute folder.
    public func folderCreated(in parent: String, name: String, now: Timestamp) {
        let path = "\(parent)/\(name)"
        let parts = path.split(separator: "/").map(String.init)
        guard parts.first == SpoolLayout.scheduled, currentMinute != nil else { return }
        switch parts.count {
        case 2 where Names.isValidQueueName(name):
            foldersToWatch.append(path)
            scanQueue(name, through: now.minuteStart)
        case 3 where Timestamp(dayFolder: name).map({ $0 <= now.minuteStart }) == true:
            foldersToWatch.append(path)
            scanDay(parts[1], day: name, through: now.minuteStart)
        case 4 where Sweeper.parseMinuteFolder(path).map({ $0.1 <= now.minuteStart }) == true:
            load(path, queue: parts[1])
        default:
            return
        }
    }

    /// Lists `folder` again (after its watch was added, or after the watcher lost events).
    public func relist(_ folder: String, now: Timestamp) {
        let parts = folder.split(separator: "/").map(String.init)
        switch parts.count {
        case 1: for queue in scheduledQueues() { scanQueue(queue, through: now.minuteStart) }
        case 2: scanQueue(parts[1], through: now.minuteStart)
        case 3: scanDay(parts[1], day: parts[2], through: now.minuteStart)
        default:
            if let (queue, start) = Sweeper.parseMinuteFolder(folder), start <= now.minuteStart {
                load(folder, queue: queue)
            }
        }
    }

    /// Rescans every folder up to the current minute, after the watcher lost events (queue overflow).
    public func rescan(now: Timestamp) {
        fullScan(through: now.minuteStart)
    }

    // MARK: - Scanning

    private func fullScan(through minute: Timestamp) {
        foldersToWatch.append(SpoolLayout.scheduled)
        for queue in scheduledQueues() { scanQueue(queue, through: minute) }
    }

    private func scanQueue(_ queue: String, through minute: Timestamp) {
        let queueFolder = "\(SpoolLayout.scheduled)/\(queue)"
        foldersToWatch.append(queueFolder)
        for day in names(in: queueFolder) {
            guard let start = Timestamp(dayFolder: day), start <= minute else { continue }
            foldersToWatch.append("\(queueFolder)/\(day)")
            scanDay(queue, day: day, through: minute)
        }
    }

    private func scanDay(_ queue: String, day: String, through minute: Timestamp) {
        let dayFolder = "\(SpoolLayout.scheduled)/\(queue)/\(day)"
        var empty = true
        for name in names(in: dayFolder) {
            empty = false
            guard let start = Timestamp(dayFolder: day, minuteFolder: name), start <= minute else { continue }
            load("\(dayFolder)/\(name)", queue: queue)
        }
        if empty, let start = Timestamp(dayFolder: day), start.adding(milliseconds: 86_400_000) <= minute,
            (try? Syscall.unlink(dayFolder, in: spool.rootDescriptor, isDirectory: true)) != nil
        {
            watched.remove(dayFolder)
        }
    }

    /// Lists a minute folder and gives each file a timer.
    private func load(_ folder: String, queue: String) {
        let isNew = openFolders[folder] == nil
        var exists = false
        do {
            try Syscall.forEachEntry(in: folder, relativeTo: spool.rootDescriptor) { entry in
                exists = true
                if let name = TaskFileName(entry.name) { addTimer(name, folder: folder, queue: queue) }
                return true
            }
            exists = true
        } catch {
            if !exists { return }
        }
        if isNew {
            openFolders[folder, default: 0] += 0
            foldersToWatch.append(folder)
        }
    }

    private func addTimer(_ name: TaskFileName, folder: String, queue: String) {
        guard known.insert("\(folder)/\(name)").inserted else { return }
        timers.push(Timer(name: name, folder: folder, queue: queue))
        openFolders[folder, default: 0] += 1
    }

    // MARK: - Promotion

    /// Promotes every file due by `now`. When the filesystem fails a promotion (read-only, I/O error), the
    /// file is tried again after a backoff; two failures in a row end the pass, since the fault is most
    /// likely the filesystem's and not one file's.
    private func promoteDue(now: Timestamp) {
        if let retryAt = promotion.retryAt {
            guard now >= retryAt else { return }
            for timer in failedPromotions { timers.push(timer) }
            failedPromotions.removeAll()
        }
        var failuresInARow = 0
        while failuresInARow < 2, let timer = timers.first, timer.name.due <= now {
            timers.popFirst()
            do {
                try promote(timer)
                failuresInARow = 0
            } catch {
                failedPromotions.append(timer)
                failuresInARow += 1
                promotionFaults.failed(
                    now: now,
                    metadata: ["spool.file": "\(timer.folder)/\(timer.name)", "spool.error": "\(error)"]
                )
                continue
            }
            known.remove("\(timer.folder)/\(timer.name)")
            openFolders[timer.folder, default: 1] -= 1
        }
        if !failedPromotions.isEmpty {
            promotion.failed(now: now)
        } else if promotion.retryAt != nil {
            promotion.succeeded()
            promotionFaults.succeeded()
        }
    }

    /// Moves a due file into `active/<queue>/`; done if another sweeper moved it first.
    private func promote(_ timer: Timer) throws(SpoolError) {
        let name = timer.name.description
        let active = SpoolLayout.activeFolder(queue: timer.queue)
        // A name from before this boot may be one that a power loss brought back after the task finished.
        if spool.predatesBoot(name, in: timer.folder),
            spool.settleFinishedCopy(name, in: timer.folder, id: timer.name.id, queue: timer.queue)
        {
            return
        }
        do {
            try spool.move(
                name,
                in: timer.folder,
                to: name,
                in: active,
                rule: .ownName,
                sync: spool.configuration.durability.syncsMoves
            )
        } catch  where error.code == .notFound {
            return
        } catch  where error.code == .alreadyExists {
            // The task is in active/ already: this name is a second one that a power loss brought back.
            try spool.settleSecondCopy(name, in: timer.folder, of: name, in: active)
            return
        }
        spool.logger.info(
            "promoted",
            metadata: ["spool.task.id": "\(timer.name.id)", "spool.task.queue": "\(timer.queue)"]
        )
    }

    /// Removes minute folders of past minutes once every timer in them has fired; a folder that turns out
    /// not to be empty is listed again, since files landed in it after it was read.
    private func removeDrainedFolders(before minute: Timestamp) {
        for (folder, pending) in openFolders where pending <= 0 {
            guard let (queue, start) = Sweeper.parseMinuteFolder(folder), start < minute else { continue }
            do {
                try Syscall.unlink(folder, in: spool.rootDescriptor, isDirectory: true)
                openFolders[folder] = nil
                watched.remove(folder)
                spool.folders.invalidate(folder)
            } catch .directoryNotEmpty {
                load(folder, queue: queue)
            } catch {
                openFolders[folder] = nil
            }
        }
    }

    // MARK: - Names

    private func scheduledQueues() -> [String] {
        names(in: SpoolLayout.scheduled).filter(Names.isValidQueueName)
    }

    private func names(in folder: String) -> [String] {
        (try? Syscall.entries(in: folder, relativeTo: spool.rootDescriptor).map(\.name)) ?? []
    }

    /// Splits `scheduled/<queue>/<day>/<minute>` into the queue and the minute's start.
    static func parseMinuteFolder(_ folder: String) -> (String, Timestamp)? {
        let parts = folder.split(separator: "/")
        guard parts.count == 4, parts[0] == SpoolLayout.scheduled, Names.isValidQueueName(String(parts[1])),
            let start = Timestamp(dayFolder: String(parts[2]), minuteFolder: String(parts[3]))
        else { return nil }
        return (String(parts[1]), start)
    }
}
