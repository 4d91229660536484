import SpoolSystem

extension Spool {
    /// Where task `id` of `queue` lies in `done/` or `dead/`, if it has finished: a look into each
    /// hour folder of the queue, the latest first (where a task that just finished lands), without reading
    /// the pending tasks.
    public func finishedLocation(id: String, queue: String) -> TaskLocation? {
        guard Names.isValidTaskID(id), Names.isValidQueueName(queue) else { return nil }
        for state in [TaskState.done, .dead] {
            let queueFolder = "\(state.rawValue)/\(queue)"
            for hour in entryNames(in: queueFolder).reversed() {
                let path = "\(queueFolder)/\(hour)/\(id).json"
                if (try? Syscall.status(path, in: rootDescriptor))?.kind == .regular {
                    return TaskLocation(id: id, queue: queue, state: state, due: nil, path: path)
                }
            }
        }
        return nil
    }

    /// The folders of `<state>/<queue>/` (`done/` or `dead/`) into which task `id`, pending now, may still
    /// finish: those whose hour ends after the earliest time its retention could end if it finished now,
    /// by its own `retention` and `delete_at` or this spool's configuration. Every folder when the task
    /// cannot be read. A process with another configuration may still finish it into an older folder;
    /// a waiter looks there again from time to time.
    public func finishedFolders(awaiting location: TaskLocation, in state: TaskState, now: Timestamp) -> [String] {
        let queueFolder = "\(state.rawValue)/\(location.queue)"
        let folders = entryNames(in: queueFolder)
        guard let record = try? record(at: location) else { return folders.map { "\(queueFolder)/\($0)" } }
        let earliest = finishedExpiry(of: record, succeeded: state == .done, now: now)
        return folders.filter { (SpoolLayout.finishedFolderEnd($0) ?? .latest) > earliest }.map {
            "\(queueFolder)/\($0)"
        }
    }
}

extension Spool {
    /// The names in `folder` (relative to the root), sorted; none if it is missing.
    public func entryNames(in folder: String) -> [String] {
        names(in: folder).sorted()
    }

    /// Creates `folder` (relative to the root) and its parents if missing.
    public func createFolder(_ folder: String) throws(SpoolError) {
        _ = try folders.handle(folder, create: true)
    }
}
