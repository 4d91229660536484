import Logging
import SpoolSystem
import SystemPackage

/// The index of business keys (`key`): `keys/<shard>/<key name>+<id>`, a symbolic link per task with a key,
/// whose text says where the task is: `<queue> <due in Unix ms>` while it waits or runs, `<queue> done
/// <day>` or `<queue> dead <day>` once finished. `<shard>` is two hexadecimal digits of a hash of the key,
/// so that a lookup lists one folder of a 256th of the index.
extension Spool {
    /// The shard folder and entry name of task `id`'s key `key`.
    static func keyEntry(_ key: String, id: String) -> (folder: String, name: String) {
        let shard = String(fnv1a(key) & 0xFF, radix: 16)
        return ("\(SpoolLayout.keys)/\(shard.count == 1 ? "0" + shard : shard)", keyPrefix(key) + id)
    }

    /// The part of an entry's name before the id: the key named as ``keyName(_:longest:)`` names it (cut
    /// to a hash beyond 180 bytes, so that the whole name fits 255 bytes), then `+`.
    private static func keyPrefix(_ key: String) -> String { keyName(key, longest: 180) + "+" }

    /// Writes (or replaces) the index entry of `record`'s key with `text`, if it has a key.
    func indexKey(of record: TaskRecord, _ text: String, sync: Bool = false) throws(SpoolError) {
        guard let key = record.key else { return }
        let entry = Spool.keyEntry(key, id: record.id)
        try replaceLink(entry.name, in: entry.folder, text: text, sync: sync)
    }

    /// Creates or replaces the symbolic link `folder/name` holding `text`: a new link made beside it and
    /// renamed over it. The folder is flushed after when `sync` is set and the durability level flushes
    /// enqueues.
    func replaceLink(_ name: String, in folderName: String, text: String, sync: Bool) throws(SpoolError) {
        let folder = try folders.handle(folderName, create: true)
        let staged = "\(name).\(stagingName(.write))".truncated(toBytes: Spool.maximumNameBytes)
        do {
            try Syscall.makeSymbolicLink(staged, in: folder.descriptor, target: text)
            try gate.pass { () throws(Errno) in
                try Syscall.rename(staged, in: folder.descriptor, to: name, in: folder.descriptor)
            }
            if sync, configuration.durability.syncsEnqueue { try folder.descriptor.synchronize() }
        } catch {
            try? Syscall.unlink(staged, in: folder.descriptor)
            throw SpoolError(error, "write", "\(folderName)/\(name)")
        }
    }

    /// The index text of a task waiting or running with due time `due`.
    static func keyText(queue: String, due: Timestamp) -> String { "\(queue) \(due.milliseconds)" }

    /// Removes the index entry of `record`'s key.
    func unindexKey(of record: TaskRecord) {
        guard let key = record.key else { return }
        let entry = Spool.keyEntry(key, id: record.id)
        guard let folder = try? folders.handle(entry.folder, create: false) else { return }
        try? Syscall.unlink(entry.name, in: folder.descriptor)
    }

    /// Notes in the index that a task with a key finished into `dayFolder` (`done/<q>/<hour>`), and leaves
    /// `<id>.key` there, naming the entry, so that the purge of the folder removes the entry too.
    func indexFinish(of record: TaskRecord, in dayFolder: String) {
        guard let key = record.key else { return }
        let parts = dayFolder.split(separator: "/")
        guard parts.count == 3 else { return }
        try? indexKey(of: record, "\(record.queue) \(parts[0]) \(parts[2])")
        let entry = Spool.keyEntry(key, id: record.id)
        guard let folder = try? folders.handle(dayFolder, create: false) else { return }
        try? Syscall.makeSymbolicLink(
            "\(record.id).key",
            in: folder.descriptor,
            target: "\(entry.folder)/\(entry.name)"
        )
    }

    /// The tasks whose `key` is `key`, in every state: one listing of one shard of the index and a few
    /// `stat`s per task, whatever the size of the spool.
    public func tasks(withKey key: String) -> [TaskLocation] {
        let entry = Spool.keyEntry(key, id: "")
        guard let folder = try? folders.handle(entry.folder, create: false) else { return [] }
        var found: [TaskLocation] = []
        for name in names(in: entry.folder) where name.hasPrefix(entry.name) {
            let id = String(name.dropFirst(entry.name.utf8.count))
            guard Names.isValidTaskID(id), let text = try? Syscall.readSymbolicLink(name, in: folder.descriptor),
                let location = locate(id: id, indexed: text) ?? find(id: id)
            else { continue }
            // A long key is named by its hash: the task's own key decides.
            if entry.name.hasPrefix("~"), (try? record(at: location))?.key != key { continue }
            found.append(location)
        }
        return found.sorted { $0.id < $1.id }
    }

    /// Where task `id` is, from its index text: a few `stat`s and the listing of the queue's worker and
    /// finished folders. `nil` if it is not where the text says (it moved meanwhile, or the text is stale).
    func locate(id: String, indexed text: String) -> TaskLocation? {
        let words = text.split(separator: " ").map(String.init)
        guard let queue = words.first, Names.isValidQueueName(queue) else { return nil }
        func exists(_ path: String) -> Bool { (try? Syscall.status(path, in: rootDescriptor)) != nil }
        if words.count == 3, let state = TaskState(rawValue: words[1]), state == .done || state == .dead {
            let path = "\(state.rawValue)/\(queue)/\(words[2])/\(id).json"
            return exists(path) ? TaskLocation(id: id, queue: queue, state: state, due: nil, path: path) : nil
        }
        guard words.count == 2, let milliseconds = Int64(words[1]) else { return nil }
        let due = Timestamp(milliseconds: milliseconds)
        let name = TaskFileName(due: due, id: id).description
        func found(_ state: TaskState, _ path: String) -> TaskLocation? {
            guard exists(path) else { return nil }
            return TaskLocation(
                id: id,
                queue: queue,
                state: state,
                due: state == .done || state == .dead ? nil : due,
                path: path
            )
        }
        // Where it most likely is first; the worker and finished folders are listed only if it is not there.
        if let location = found(.scheduled, "\(SpoolLayout.scheduledFolder(queue: queue, due: due))/\(name)")
            ?? found(.active, "\(SpoolLayout.activeFolder(queue: queue))/\(name)")
        {
            return location
        }
        for worker in names(in: "\(SpoolLayout.running)/\(queue)") {
            if let location = found(.running, "\(SpoolLayout.running)/\(queue)/\(worker)/\(name)") { return location }
        }
        for state in [TaskState.done, .dead] {
            for day in names(in: "\(state.rawValue)/\(queue)") {
                if let location = found(state, "\(state.rawValue)/\(queue)/\(day)/\(id).json") { return location }
            }
        }
        return nil
    }
}
