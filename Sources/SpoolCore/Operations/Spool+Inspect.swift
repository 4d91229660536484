import SpoolSystem

/// Where a task is.
public enum TaskState: String, Sendable, Hashable, CaseIterable {
    /// In `scheduled/`, waiting for its due time.
    case scheduled
    /// In `active/`, due and waiting for a worker.
    case active
    /// In `running/`, claimed by a worker.
    case running
    /// In `done/`, succeeded.
    case done
    /// In `dead/`, given up.
    case dead
}

/// A task file found in the spool.
public struct TaskLocation: Sendable, Hashable {
    /// The task's id.
    public var id: String
    /// Its queue.
    public var queue: String
    /// Its state.
    public var state: TaskState
    /// When it is due (scheduled, active, running), if the name says.
    public var due: Timestamp?
    /// Its path relative to the spool root.
    public var path: String
}

extension TaskLocation {
    /// The folder holding the task's file, relative to the spool root.
    public var folder: String { String(path[..<path.lastIndex(of: "/")!]) }
    /// The name of the task's file in ``folder``.
    public var fileName: String { String(path[path.index(after: path.lastIndex(of: "/")!)...]) }
}

extension Spool {
    /// Finds the task `id`, wherever it is: in its reserved queue's folders for a reserved id, else in every
    /// queue's. A finished task is looked up by name in each hour folder (a `stat` each, no listing); the
    /// waiting and running ones are listed, names compared as bytes as they come. Since a task may move while
    /// it is looked for, the folders a task can move into from `scheduled/` are looked at again before
    /// saying it is nowhere.
    public func find(id: String) -> TaskLocation? {
        guard Names.isValidTaskID(id) else { return nil }
        let suffix = Array("\(id).json".utf8)
        let reserved = reservedQueue(id: id)
        func queues(_ state: TaskState) -> [String] {
            reserved.map { [$0] } ?? names(in: state.rawValue).filter(Names.isValidQueueName)
        }
        func finished() -> TaskLocation? {
            for state in [TaskState.done, .dead] {
                for queue in queues(state) {
                    let queueFolder = "\(state.rawValue)/\(queue)"
                    for hour in names(in: queueFolder) where SpoolLayout.finishedFolderEnd(hour) != nil {
                        let path = "\(queueFolder)/\(hour)/\(id).json"
                        if (try? Syscall.status(path, in: rootDescriptor)) != nil {
                            return TaskLocation(id: id, queue: queue, state: state, due: nil, path: path)
                        }
                    }
                }
            }
            return nil
        }
        func pending(_ states: [TaskState]) -> TaskLocation? {
            for state in states {
                for queue in queues(state) {
                    guard let (folder, name) = search("\(state.rawValue)/\(queue)", depth: state.depth, for: suffix)
                    else {
                        continue
                    }
                    let due = TaskFileName(name)?.due
                    return TaskLocation(id: id, queue: queue, state: state, due: due, path: "\(folder)/\(name)")
                }
            }
            return nil
        }
        return finished() ?? pending([.active, .running]) ?? pending([.scheduled]) ?? pending([.active, .running])
            ?? finished()
    }

    /// The folder and name of the file `depth` folders below `folder` named `<due>.<suffix>` or `<suffix>`.
    private func search(_ folder: String, depth: Int, for suffix: [UInt8]) -> (String, String)? {
        var found: (String, String)?
        forEachName(below: folder, depth: depth) { leaf, bytes in
            let count = bytes.count
            let named =
                (count == suffix.count || (count == suffix.count + 14 && bytes[13] == 0x2E))
                && bytes[(count - suffix.count)...].elementsEqual(suffix)
                && (count == suffix.count || TaskFileName.dueMilliseconds(utf8: bytes) != nil)
            if named { found = (leaf, String(decoding: bytes, as: UTF8.self)) }
            return !named
        }
        return found
    }

    /// Calls `body` with each entry name (as bytes) `depth` folders below `folder`, and the folder holding
    /// it; no string is made per entry. Returns `false` once `body` does.
    @discardableResult
    func forEachName(
        below folder: String,
        depth: Int,
        _ body: (String, UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Bool {
        guard depth == 0 else {
            for name in names(in: folder) where !forEachName(below: "\(folder)/\(name)", depth: depth - 1, body) {
                return false
            }
            return true
        }
        var going = true
        try? Syscall.forEachEntryName(in: folder, relativeTo: rootDescriptor) { bytes, _ in
            going = body(folder, bytes)
            return going
        }
        return going
    }

    /// Reads the task at `location`.
    public func record(at location: TaskLocation) throws(SpoolError) -> TaskRecord {
        try readRecord(location.fileName, in: location.folder)
    }

    /// Calls `body` for every task file in the given states and queue, in the order the filesystem lists
    /// them, streaming: memory does not grow with the number of tasks. `body` returns `false` to stop.
    public func forEachTask(
        states: [TaskState] = TaskState.allCases,
        queue only: String? = nil,
        _ body: (TaskLocation) -> Bool
    ) {
        for state in states {
            let queues = only.map { [$0] } ?? names(in: state.rawValue).filter(Names.isValidQueueName)
            for queue in queues {
                var keepGoing = true
                walk("\(state.rawValue)/\(queue)", depth: state.depth) { folder, name in
                    let location: TaskLocation?
                    if let fileName = TaskFileName(name) {
                        location = TaskLocation(
                            id: fileName.id,
                            queue: queue,
                            state: state,
                            due: fileName.due,
                            path: "\(folder)/\(name)"
                        )
                    } else if name.hasSuffix(".json"), Names.isValidTaskID(String(name.dropLast(5))) {
                        location = TaskLocation(
                            id: String(name.dropLast(5)),
                            queue: queue,
                            state: state,
                            due: nil,
                            path: "\(folder)/\(name)"
                        )
                    } else {
                        location = nil
                    }
                    if let location { keepGoing = body(location) }
                    return keepGoing
                }
                if !keepGoing { return }
            }
        }
    }

    /// Calls `body` with each file `depth` folders below `folder`; returns `false` once `body` does.
    @discardableResult
    private func walk(_ folder: String, depth: Int, _ body: (String, String) -> Bool) -> Bool {
        for name in names(in: folder).sorted() {
            let keepGoing = depth == 0 ? body(folder, name) : walk("\(folder)/\(name)", depth: depth - 1, body)
            if !keepGoing { return false }
        }
        return true
    }
}

extension Spool {
    /// The queues that have a folder in `active/`.
    public func activeQueues() -> [String] {
        names(in: SpoolLayout.active).filter(Names.isValidQueueName).sorted()
    }
}

extension Spool {
    /// Whether `folder` (relative to the root) exists.
    public func folderExists(_ folder: String) throws -> Bool {
        (try? Syscall.status(folder, in: rootDescriptor))?.kind == .directory
    }
}
