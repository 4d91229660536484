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

/// How many tasks a queue holds in each state.
public struct QueueCounts: Sendable, Hashable {
    /// The queue.
    public var queue: String
    /// Count per state.
    public var counts: [TaskState: Int]

    /// The count for `state`.
    public subscript(state: TaskState) -> Int { counts[state, default: 0] }
}

/// Counts for a whole spool.
public struct SpoolStats: Sendable, Hashable {
    /// Per queue, sorted by name.
    public var queues: [QueueCounts]
    /// Drops waiting in `incoming/`.
    public var incoming: Int
    /// Files in `rejected/` (not counting `.reason` files).
    public var rejected: Int
    /// Paused queues, sorted.
    public var paused: [String]
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
    /// Counts every task by queue and state. Walks the whole tree: for inspection, not for hot paths.
    public func stats() -> SpoolStats {
        var perQueue: [String: [TaskState: Int]] = [:]
        forEachTask { location in
            perQueue[location.queue, default: [:]][location.state, default: 0] += 1
            return true
        }
        for queue in names(in: SpoolLayout.active) + names(in: SpoolLayout.scheduled)
        where Names.isValidQueueName(queue) {
            if perQueue[queue] == nil { perQueue[queue] = [:] }
        }
        let queues = perQueue.keys.sorted().map { QueueCounts(queue: $0, counts: perQueue[$0]!) }
        let incoming = names(in: SpoolLayout.incoming).filter(Spool.isDropName).count
        let rejected = names(in: SpoolLayout.rejected).filter { !$0.hasSuffix(".reason") }.count
        let paused = ((try? pausedQueues()) ?? []).sorted()
        return SpoolStats(queues: queues, incoming: incoming, rejected: rejected, paused: paused)
    }

    /// Finds the task `id`, wherever it is: in its reserved queue's folders for a reserved id, else in every
    /// queue's. The folders are read in the order of a task's history, so a task moving meanwhile is still
    /// found, and names are compared as bytes as they are listed, so a search costs little more than a
    /// listing of the folders it reads.
    public func find(id: String) -> TaskLocation? {
        guard Names.isValidTaskID(id) else { return nil }
        let suffix = Array("\(id).json".utf8)
        let queue = reservedQueue(id: id)
        for state in TaskState.allCases {
            let queues = queue.map { [$0] } ?? names(in: state.rawValue).filter(Names.isValidQueueName)
            for queue in queues {
                let depth = state == .active ? 0 : state == .scheduled ? 2 : 1
                guard let (folder, name) = search("\(state.rawValue)/\(queue)", depth: depth, for: suffix) else {
                    continue
                }
                let due = TaskFileName(name)?.due
                return TaskLocation(id: id, queue: queue, state: state, due: due, path: "\(folder)/\(name)")
            }
        }
        return nil
    }

    /// The folder and name of the file `depth` folders below `folder` named `<due>.<suffix>` or `<suffix>`.
    private func search(_ folder: String, depth: Int, for suffix: [UInt8]) -> (String, String)? {
        guard depth == 0 else {
            for name in names(in: folder) {
                if let found = search("\(folder)/\(name)", depth: depth - 1, for: suffix) { return found }
            }
            return nil
        }
        var found: String?
        try? Syscall.forEachEntryName(in: folder, relativeTo: rootDescriptor) { bytes, _ in
            let count = bytes.count
            let named =
                (count == suffix.count || (count == suffix.count + 14 && bytes[13] == 0x2E))
                && bytes[(count - suffix.count)...].elementsEqual(suffix)
                && (count == suffix.count || TaskFileName.dueMilliseconds(utf8: bytes) != nil)
            if named { found = String(decoding: bytes, as: UTF8.self) }
            return !named
        }
        return found.map { (folder, $0) }
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
        // Depth below <state>/<queue>/ at which task files sit.
        let depths: [TaskState: Int] = [.active: 0, .running: 1, .done: 1, .dead: 1, .scheduled: 2]
        for state in states {
            let queues = only.map { [$0] } ?? names(in: state.rawValue).filter(Names.isValidQueueName)
            for queue in queues {
                var keepGoing = true
                walk("\(state.rawValue)/\(queue)", depth: depths[state]!) { folder, name in
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
