import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// Reserves a producer-given id in `ids/` with a symbolic link whose text names the queue and the
    /// reserving operation (`token`), so that a recovery step can tell its own reservation from another's.
    ///
    /// An id of the form Spool generates (see ``ULIDGenerator/time(of:)``) may belong to a task whose id was
    /// generated, which holds no reservation: once reserved, such an id is looked for among the tasks, and
    /// refused if one has it.
    ///
    /// A symbolic link is created atomically, fails if the name exists, and (being short) costs an inode
    /// but no data block. It is read back, never followed.
    ///
    /// The `ids/` folder is flushed after the reservation when the durability level flushes enqueues and
    /// `sync` is set; a caller that clears `sync` flushes it before placing the task.
    ///
    /// - Returns: `true` if this call made the reservation, `false` if `token` already holds it.
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/alreadyExists`` if another task holds the id.
    @discardableResult
    ///
    /// - Parameter searching: Whether an id of the form Spool generates is looked for among the tasks; a
    ///   caller that knows no task can have it (a workflow step's id, made when its workflow was accepted)
    ///   clears it.
    func reserve(
        id: String,
        queue: String,
        token: String,
        sync: Bool = true,
        searching: Bool = true
    ) throws(SpoolError) -> Bool {
        try requireWrites("reserve id")
        let folder = try folders.handle(SpoolLayout.ids, create: true)
        let text = "\(queue)/\(token)"
        do {
            try Syscall.makeSymbolicLink(id, in: folder.descriptor, target: text)
        } catch .fileExists {
            if (try? Syscall.readSymbolicLink(id, in: folder.descriptor)) == text { return false }
            throw SpoolError(.alreadyExists, "id: \"\(id)\" is already in use")
        } catch {
            throw SpoolError(error, "reserve id", "\(SpoolLayout.ids)/\(id)")
        }
        if searching, let created = ULIDGenerator.time(of: id), let existing = findTask(generatedID: id, createdAt: created) {
            try? Syscall.unlink(id, in: folder.descriptor)
            throw SpoolError(.alreadyExists, "id: \"\(id)\" is already in use by a task in \(existing.state)/")
        }
        do {
            // The reservation must survive a power loss whenever the task does.
            if sync, configuration.durability.syncsEnqueue { try folder.descriptor.synchronize() }
        } catch {
            try? Syscall.unlink(id, in: folder.descriptor)
            throw SpoolError(error, "flush folder", SpoolLayout.ids)
        }
        return true
    }

    /// Removes the reservation of `id`, if any.
    func releaseReservation(id: String) {
        guard let folder = try? folders.handle(SpoolLayout.ids, create: false) else { return }
        try? Syscall.unlink(id, in: folder.descriptor)
    }

    /// The queue named by the reservation of `id`, if the id is reserved.
    func reservedQueue(id: String) -> String? {
        guard Names.isValidTaskID(id), let folder = try? folders.handle(SpoolLayout.ids, create: false),
            let text = try? Syscall.readSymbolicLink(id, in: folder.descriptor)
        else { return nil }
        return text.split(separator: "/").first.map(String.init)
    }
}
