import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// Pauses `queue`: its tasks keep arriving and being promoted, but no worker claims them until
    /// ``resume(_:)``. The marker `paused/<queue>` is placed by rename, so pausing twice is harmless.
    public func pause(_ queue: String) throws(SpoolError) {
        try requireQueueName(queue)
        try placePauseMarker(queue, in: SpoolLayout.paused)
        logger.info("queue paused", metadata: ["spool.task.queue": "\(queue)"])
    }

    /// Resumes a paused `queue`; resuming a queue that is not paused is harmless.
    public func resume(_ queue: String) throws(SpoolError) {
        try requireQueueName(queue)
        if try removePauseMarker(queue, in: SpoolLayout.paused) {
            logger.info("queue resumed", metadata: ["spool.task.queue": "\(queue)"])
        }
    }

    /// Places the pause marker `folder/name` (`{"paused_at": …}`) by rename, so that placing it twice is
    /// harmless.
    func placePauseMarker(_ name: String, in folder: String) throws(SpoolError) {
        let marker = JSONValue.object([JSONMember("paused_at", .string(clock.now.rfc3339))])
        let staged = try stage(JSONWriter.encode(marker), sync: configuration.durability.syncsMoves)
        do {
            try move(staged, in: SpoolLayout.tmp, to: name, in: folder, sync: true)
        } catch {
            discardStaged(staged)
            throw error
        }
    }

    /// Removes the pause marker `folder/name`; `false` if there was none.
    func removePauseMarker(_ name: String, in folder: String) throws(SpoolError) -> Bool {
        try requireWrites("resume")
        let directory = try folders.handle(folder, create: true)
        do {
            try Syscall.unlink(name, in: directory.descriptor)
        } catch .noSuchFileOrDirectory {
            return false
        } catch {
            throw SpoolError(error, "resume", "\(folder)/\(name)")
        }
        if configuration.durability.syncsMoves { try? directory.descriptor.synchronize() }
        return true
    }

    /// The queues paused now.
    public func pausedQueues() throws(SpoolError) -> Set<String> {
        var queues: Set<String> = []
        do {
            try Syscall.forEachEntry(in: SpoolLayout.paused, relativeTo: rootDescriptor) { entry in
                if Names.isValidQueueName(entry.name) { queues.insert(entry.name) }
                return true
            }
        } catch Errno.noSuchFileOrDirectory {
            return []
        } catch {
            throw SpoolError(error as? Errno ?? .ioError, "list", SpoolLayout.paused)
        }
        return queues
    }

    private func requireQueueName(_ queue: String) throws(SpoolError) {
        guard Names.isValidQueueName(queue) else {
            throw SpoolError(.invalidArgument, "invalid queue name \"\(queue)\" (expected [a-z0-9_-]{1,64})")
        }
    }
}
