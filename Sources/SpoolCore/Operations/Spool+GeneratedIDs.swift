import SpoolSystem
import SystemPackage

extension Spool {
    /// Where a task whose id Spool may have generated at `created` (the time its ULID holds) is, if any.
    ///
    /// Generated ids are not reserved in `ids/`, so a task dropped again with such an id (an exported file,
    /// a copy with a new due time) is checked against the tasks in the spool. The time in the id bounds the
    /// search: such a task was placed at or after `created`, so a `done/` or `dead/` folder whose hour ends
    /// before then cannot hold it (the others are looked up by name, one `stat` each), nor a `scheduled/`
    /// minute before that minute (less a day, for a clock stepped back); `active/` and `running/` are listed.
    /// Tasks move while the search runs, one step at a time and mostly forward through the folders, which are searched in that order; a second pass catches
    /// a task that went back (a retry) past the search.
    func findTask(generatedID id: String, createdAt created: Timestamp) -> TaskLocation? {
        let suffix = Array(".\(id).json".utf8)
        // A day of slack for a clock stepped back between the id's making and a later move.
        let created = created.adding(milliseconds: -Spool.clockStepAllowance)
        for _ in 0..<2 {
            if let found = findPending(suffix: suffix, id: id, since: created) { return found }
            for state in [TaskState.done, .dead] {
                if let found = findFinished(id: id, in: state, since: created) { return found }
            }
        }
        return nil
    }

    /// How far back, in milliseconds, the clock may have been stepped between an id's making and its
    /// task's later moves, for the bounds of ``findTask(generatedID:createdAt:)``: a day.
    static let clockStepAllowance: Int64 = 86_400_000

    private func findPending(suffix: [UInt8], id: String, since created: Timestamp) -> TaskLocation? {
        let firstDay = created.dayFolderName
        let firstMinute = created.minuteFolderName
        for queue in names(in: SpoolLayout.scheduled) where Names.isValidQueueName(queue) {
            for day in names(in: "\(SpoolLayout.scheduled)/\(queue)") where day >= firstDay {
                for minute in names(in: "\(SpoolLayout.scheduled)/\(queue)/\(day)")
                where day > firstDay || minute >= firstMinute {
                    let folder = "\(SpoolLayout.scheduled)/\(queue)/\(day)/\(minute)"
                    if let found = find(suffix, id: id, queue: queue, state: .scheduled, in: folder) { return found }
                }
            }
        }
        for queue in names(in: SpoolLayout.active) where Names.isValidQueueName(queue) {
            let folder = SpoolLayout.activeFolder(queue: queue)
            if let found = find(suffix, id: id, queue: queue, state: .active, in: folder) { return found }
        }
        for queue in names(in: SpoolLayout.running) where Names.isValidQueueName(queue) {
            for worker in names(in: "\(SpoolLayout.running)/\(queue)") {
                let folder = "\(SpoolLayout.running)/\(queue)/\(worker)"
                if let found = find(suffix, id: id, queue: queue, state: .running, in: folder) { return found }
            }
        }
        return nil
    }

    private func findFinished(id: String, in state: TaskState, since created: Timestamp) -> TaskLocation? {
        for queue in names(in: state.rawValue) where Names.isValidQueueName(queue) {
            for day in names(in: "\(state.rawValue)/\(queue)") {
                // A task finished at or after `created` expires at or after it.
                guard let end = SpoolLayout.finishedFolderEnd(day), end > created else { continue }
                let path = "\(state.rawValue)/\(queue)/\(day)/\(id).json"
                if (try? Syscall.status(path, in: rootDescriptor)) != nil {
                    return TaskLocation(id: id, queue: queue, state: state, due: nil, path: path)
                }
            }
        }
        return nil
    }

    /// The task file in `folder` whose name ends with `suffix` (`.<id>.json`), streamed without a string
    /// per name.
    private func find(
        _ suffix: [UInt8],
        id: String,
        queue: String,
        state: TaskState,
        in folder: String
    ) -> TaskLocation? {
        var found: String?
        try? Syscall.forEachEntryName(in: folder, relativeTo: rootDescriptor) { bytes, _ in
            guard bytes.count > suffix.count, bytes.suffix(suffix.count).elementsEqual(suffix) else { return true }
            found = String(decoding: bytes, as: UTF8.self)
            return false
        }
        guard let found, let name = TaskFileName(found) else { return nil }
        return TaskLocation(id: id, queue: queue, state: state, due: name.due, path: "\(folder)/\(found)")
    }
}
