import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// Deletes the oldest dead tasks of each queue that holds more than its limit
    /// (``SpoolConfiguration/deadLimit(of:)``): whole folders, the earliest to expire first, then within the
    /// last of them the tasks that went to `dead/` first (by the time their file was last written). Each goes with its
    /// `ids/` reservation and key index entry, as a purge deletes them.
    ///
    /// - Returns: How many tasks it deleted.
    func trimDead() -> Int {
        var trimmed = 0
        for queue in names(in: SpoolLayout.dead) where Names.isValidQueueName(queue) {
            guard let limit = configuration.deadLimit(of: queue) else { continue }
            let queueFolder = "\(SpoolLayout.dead)/\(queue)"
            let days = names(in: queueFolder).compactMap { name in
                SpoolLayout.finishedFolderEnd(name).map { ($0, name) }
            }
            .sorted { $0 < $1 }.map(\.1)
            var counts = days.map { day in names(in: "\(queueFolder)/\(day)").filter { $0.hasSuffix(".json") }.count }
            var excess = counts.reduce(0, +) - limit
            var index = 0
            var deleted = 0
            while excess > 0, index < days.count {
                let folder = "\(queueFolder)/\(days[index])"
                guard let directory = try? folders.handle(folder, create: false) else { break }
                let entries = names(in: folder)
                let keyLinks = Set(entries.filter { $0.hasSuffix(".key") })
                var files = entries.filter { $0.hasSuffix(".json") }
                if counts[index] > excess {
                    // Only part of this folder: the oldest first.
                    let written = files.map {
                        ((try? Syscall.status($0, in: directory.descriptor))?.modificationTime.milliseconds ?? 0, $0)
                    }
                    files = written.sorted { $0 < $1 }.prefix(excess).map(\.1)
                }
                for name in files where deleteFinished(name, in: directory.descriptor, keyLinks: keyLinks) {
                    deleted += 1
                    excess -= 1
                    counts[index] -= 1
                }
                index += 1
            }
            if deleted > 0 {
                trimmed += deleted
                logger.notice(
                    "dead tasks over the limit deleted, oldest first",
                    metadata: ["spool.task.queue": "\(queue)", "spool.count": "\(deleted)", "spool.limit": "\(limit)"]
                )
            }
        }
        return trimmed
    }
}
