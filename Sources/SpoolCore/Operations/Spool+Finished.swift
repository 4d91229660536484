import SpoolSystem

extension Spool {
    /// Where task `id` of `queue` lies in `done/` or `dead/`, if it has finished: a look into each day
    /// folder of the queue, without reading the pending tasks.
    public func finishedLocation(id: String, queue: String) -> TaskLocation? {
        guard Names.isValidTaskID(id), Names.isValidQueueName(queue) else { return nil }
        for state in [TaskState.done, .dead] {
            let queueFolder = "\(state.rawValue)/\(queue)"
            for day in entryNames(in: queueFolder) {
                let path = "\(queueFolder)/\(day)/\(id).json"
                if (try? Syscall.status(path, in: rootDescriptor))?.kind == .regular {
                    return TaskLocation(id: id, queue: queue, state: state, due: nil, path: path)
                }
            }
        }
        return nil
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
