import SpoolSystem

extension Spool {
    /// The tasks that match `query`, in its order, at most its limit, and whether more match.
    ///
    /// Memory stays within the limit whatever the spool's size: names are streamed through a heap of the
    /// best `limit + 1` so far, and a file is read (for the filters on content) only when its task would
    /// enter that heap. Time folders (`scheduled/`'s minutes, `done/` and `dead/` hours) are walked in
    /// order and the walk stops once the rest cannot enter, so the first page of a large spool costs a
    /// listing of `active/` and `running/` and a few time folders. A task found twice, having moved while
    /// the folders were read, is listed once, where it was found last in its history.
    public func query(_ query: TaskQuery) -> TaskPage {
        var walk = QueryWalk(spool: self, query: query)
        if let key = query.key {
            for location in tasks(withKey: key) where query.states.contains(location.state) {
                if query.queue == nil || query.queue == location.queue { walk.offer(location) }
            }
        } else {
            for state in query.states {
                let queues = query.queue.map { [$0] } ?? names(in: state.rawValue).filter(Names.isValidQueueName)
                for queue in queues { walk.walk(state: state, queue: queue) }
            }
        }
        return walk.page()
    }

    /// Tasks in `state` (all states if `nil`) of `queue` (all queues if `nil`), at most `limit`, waiting and
    /// running ones in due order, then finished ones.
    public func list(state: TaskState? = nil, queue: String? = nil, limit: Int = 100) -> [TaskLocation] {
        var query = TaskQuery()
        query.states = state.map { [$0] } ?? TaskState.allCases
        query.queue = queue
        query.limit = limit
        return self.query(query).tasks
    }
}

/// One run of ``Spool/query(_:)``: the best tasks so far, and the walk of the folders.
struct QueryWalk {
    let spool: Spool
    let query: TaskQuery
    var best: BoundedMaxHeap<ListedTask>

    init(spool: Spool, query: TaskQuery) {
        self.spool = spool
        self.query = query
        best = BoundedMaxHeap(capacity: min(max(query.limit, 1), Int.max - 1) + 1)
    }

    /// The page: the best `limit`, each task once.
    func page() -> TaskPage {
        let found = best.sortedElements()
        let more = found.count > query.limit
        // A task that moved while the folders were read: kept where it went (the later state).
        var latest: [String: TaskState] = [:]
        for task in found where latest[task.location.id].map({ $0.order < task.location.state.order }) ?? true {
            latest[task.location.id] = task.location.state
        }
        let cut = found.prefix(query.limit)
        let next = more ? cut.last.map { QueryCursor($0, newestFirst: query.newestFirst) } : nil
        let tasks = cut.filter { latest[$0.location.id] == $0.location.state }.map(\.location)
        return TaskPage(tasks: tasks, more: more, next: next)
    }

    /// The ordered form of a task in `group` (0 waiting or running, 1 finished) at `time`.
    private func listed(_ location: TaskLocation, group: Int, time: Int64) -> ListedTask {
        query.newestFirst
            ? ListedTask(group: -group, time: -time, location: location)
            : ListedTask(group: group, time: time, location: location)
    }

    /// Whether no task in `group` at `time` or later (earlier, for the latest first) can enter the page.
    private func isPast(group: Int, time: Int64) -> Bool {
        guard let largest = best.largest else { return false }
        let bound = query.newestFirst ? (-group, -time) : (group, time)
        return bound > (largest.group, largest.time)
    }

    /// Offers the task at `location` found through the key index.
    mutating func offer(_ location: TaskLocation) {
        if let due = location.due {
            offer(location, group: 0, time: due.milliseconds)
        } else {
            let hour = location.folder.split(separator: "/").last.map(String.init) ?? ""
            offer(location, group: 1, time: SpoolLayout.finishedFolderEnd(hour)?.milliseconds ?? 0)
        }
    }

    private mutating func offer(_ location: TaskLocation, group: Int, time: Int64) {
        if group == 0, !query.due.isUnbounded, !(location.due.map(query.due.contains) ?? false) { return }
        if group == 0, !query.finished.isUnbounded { return }
        let task = listed(location, group: group, time: time)
        if let after = query.after, !after.precedes(task) { return }
        if let largest = best.largest, !(task < largest) { return }
        if query.readsContent {
            guard let record = try? spool.record(at: location), query.matches(record) else { return }
        }
        _ = best.insert(task)
    }

    /// Walks the tasks of `queue` in `state`.
    mutating func walk(state: TaskState, queue: String) {
        let base = "\(state.rawValue)/\(queue)"
        switch state {
        case .active:
            walkFiles(in: base, state: state, queue: queue)
        case .running:
            for worker in spool.names(in: base) { walkFiles(in: "\(base)/\(worker)", state: state, queue: queue) }
        case .scheduled:
            for day in ordered(spool.names(in: base)) {
                // A day's tasks are due from its start to its end.
                guard let start = Timestamp(dayFolder: day) else { continue }
                if !overlapsDue(start, start.adding(milliseconds: 86_400_000)) { continue }
                if isBeforeCursor(group: 0, from: start, to: start.adding(milliseconds: 86_399_999)) { continue }
                if isPast(
                    group: 0,
                    time: (query.newestFirst ? start.adding(milliseconds: 86_399_999) : start).milliseconds
                ) {
                    return
                }
                for minute in ordered(spool.names(in: "\(base)/\(day)")) {
                    guard let first = Timestamp(dayFolder: day, minuteFolder: minute) else { continue }
                    let last = first.adding(milliseconds: 59_999)
                    if !overlapsDue(first, last) || isBeforeCursor(group: 0, from: first, to: last) { continue }
                    if isPast(group: 0, time: (query.newestFirst ? last : first).milliseconds) { return }
                    walkFiles(in: "\(base)/\(day)/\(minute)", state: state, queue: queue)
                }
            }
        case .done, .dead:
            if !query.due.isUnbounded { return }
            for hour in ordered(spool.names(in: base)) {
                guard let end = SpoolLayout.finishedFolderEnd(hour) else { continue }
                if isBeforeCursor(group: 1, from: end, to: end) { continue }
                if isPast(group: 1, time: end.milliseconds) { return }
                walkFiles(in: "\(base)/\(hour)", state: state, queue: queue, finishedAt: end)
            }
        }
    }

    /// Offers every task file in `folder`; `finishedAt` is the folder's hour end, for a finished folder. A
    /// name whose time alone keeps it out of the page is passed over before any string is made of it.
    private mutating func walkFiles(in folder: String, state: TaskState, queue: String, finishedAt: Timestamp? = nil) {
        let group = finishedAt == nil ? 0 : 1
        try? Syscall.forEachEntryName(in: folder, relativeTo: spool.rootDescriptor) { bytes, _ in
            let time: Int64
            if let finishedAt {
                guard bytes.count > 5, bytes.suffix(5).elementsEqual(".json".utf8) else { return true }
                time = finishedAt.milliseconds
            } else {
                guard let due = TaskFileName.dueMilliseconds(utf8: bytes) else { return true }
                time = due
            }
            if isPast(group: group, time: time) { return true }
            let path = "\(folder)/\(String(decoding: bytes, as: UTF8.self))"
            let location: TaskLocation
            if finishedAt == nil {
                guard let name = TaskFileName(utf8: bytes) else { return true }
                location = TaskLocation(id: name.id, queue: queue, state: state, due: name.due, path: path)
            } else {
                let id = String(decoding: bytes.dropLast(5), as: UTF8.self)
                guard Names.isValidTaskID(id) else { return true }
                location = TaskLocation(id: id, queue: queue, state: state, due: nil, path: path)
            }
            offer(location, group: group, time: time)
            return true
        }
    }

    /// Whether the tasks of `group` from `first` to `last` all come before the page that starts after the
    /// query's cursor.
    private func isBeforeCursor(group: Int, from first: Timestamp, to last: Timestamp) -> Bool {
        query.after?.passes(group: group, from: first.milliseconds, to: last.milliseconds) ?? false
    }

    /// Whether tasks due between `first` and `last` may match the due filter.
    private func overlapsDue(_ first: Timestamp, _ last: Timestamp) -> Bool {
        (query.due.from.map { last >= $0 } ?? true) && (query.due.until.map { first <= $0 } ?? true)
    }

    /// Time folder names in the order the query walks them.
    private func ordered(_ names: [String]) -> [String] {
        query.newestFirst ? names.sorted(by: >) : names.sorted()
    }
}

extension TaskState {
    /// How many folders below `<state>/<queue>/` its task files sit: none in `active/`, the worker's in
    /// `running/`, the hour's in `done/` and `dead/`, the day's and the minute's in `scheduled/`.
    public var depth: Int {
        switch self {
        case .active: 0
        case .scheduled: 2
        case .running, .done, .dead: 1
        }
    }

    /// The order of states in a task's history.
    var order: Int {
        switch self {
        case .scheduled: 0
        case .active: 1
        case .running: 2
        case .done, .dead: 3
        }
    }
}
