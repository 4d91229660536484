import Logging
import SpoolSystem
import SystemPackage

/// What a purge by hand found and deleted.
public struct PurgeReport: Sendable, Hashable {
    /// The finished tasks that matched.
    public var matched = 0
    /// Those deleted (none in a dry run; fewer than matched when some went meanwhile).
    public var deleted = 0

    /// An empty report.
    public init() {}
}

extension Spool {
    /// The finished task files in `states` (`done`, `dead`) of `queue` (every queue when `nil`): how many
    /// there are, from folder listings alone, so that a purge can show its progress.
    public func countFinished(states: [TaskState], queue: String?) -> Int {
        var count = 0
        forEachFinishedFolder(states: states, queue: queue) { folder in
            try? Syscall.forEachEntryName(in: folder, relativeTo: rootDescriptor) { name, _ in
                if name.count > 5, name.suffix(5).elementsEqual(".json".utf8) { count += 1 }
                return true
            }
        }
        return count
    }

    /// Deletes, before their retention ends, the finished tasks in `states` (`done`, `dead`) of `queue`
    /// (every queue when `nil`) whose file was last written before `before` (every one when `nil`): for a
    /// task that finished with a result or died, its finish; for one that succeeded without a result, its
    /// last lease renewal, within a lease of its finish. Each goes with its `ids/` reservation and key
    /// index entry, as the janitor's purge deletes them, and a folder left empty goes too. With `dryRun`,
    /// only counts. `progress` is called with the files looked at so far.
    ///
    /// - Throws: ``SpoolError/Code/readOnly`` on a spool opened to read only, unless `dryRun`.
    @discardableResult
    public func purgeFinished(
        states: [TaskState],
        queue: String?,
        lastWrittenBefore before: Timestamp?,
        dryRun: Bool,
        progress: (Int) -> Void = { _ in }
    ) throws(SpoolError) -> PurgeReport {
        if !dryRun { try requireWrites("purge") }
        var report = PurgeReport()
        var looked = 0
        forEachFinishedFolder(states: states, queue: queue) { folder in
            guard let directory = try? FileDescriptor.openDirectory(folder, in: rootDescriptor) else { return }
            defer { directory.closeQuietly() }
            let entries = names(in: folder)
            let keyLinks = Set(entries.filter { $0.hasSuffix(".key") })
            for name in entries where name.hasSuffix(".json") {
                looked += 1
                if looked % 256 == 0 { progress(looked) }
                if let before {
                    guard let status = try? Syscall.status(name, in: directory),
                        status.modificationTime.milliseconds < before.milliseconds
                    else { continue }
                }
                report.matched += 1
                if !dryRun, deleteFinished(name, in: directory, keyLinks: keyLinks) { report.deleted += 1 }
            }
            // Removed only if empty: the removal fails otherwise.
            if !dryRun, (try? Syscall.unlink(folder, in: rootDescriptor, isDirectory: true)) != nil {
                folders.invalidate(folder)
            }
        }
        progress(looked)
        if report.deleted > 0 {
            logger.notice("finished tasks purged by hand", metadata: ["spool.count": "\(report.deleted)"])
        }
        return report
    }

    /// Calls `body` with each finished folder (`<state>/<queue>/<hour>`) of `states` and `queue`.
    private func forEachFinishedFolder(states: [TaskState], queue: String?, _ body: (String) -> Void) {
        for state in states where state == .done || state == .dead {
            let queues = queue.map { [$0] } ?? names(in: state.rawValue).filter(Names.isValidQueueName).sorted()
            for queue in queues {
                let queueFolder = "\(state.rawValue)/\(queue)"
                for folder in names(in: queueFolder).sorted() where SpoolLayout.finishedFolderEnd(folder) != nil {
                    body("\(queueFolder)/\(folder)")
                }
            }
        }
    }
}
