import SpoolSystem

extension FsckCheck {
    /// Checks the file `name` (of the kind its folder listing gave) in `folder`, where a task in `state` of
    /// `queue` belongs: that it is a task file, that it parses and is the task its name says. `misplacedTo`
    /// is the state whose folder it should move to, when it is in the wrong one for its name: `.scheduled`
    /// for the folder of its due minute (or `active/` once due), `.active`, or the finished state it is in,
    /// for the name `<id>.json`.
    mutating func check(
        _ name: String,
        kind listedKind: FileKind,
        in folder: String,
        state: TaskState,
        queue: String,
        misplacedTo: TaskState? = nil
    ) {
        let path = "\(folder)/\(name)"
        let pendingName = TaskFileName(name)
        let finishedName = name.hasSuffix(".json") ? String(name.dropLast(5)) : nil
        guard let id = pendingName?.id ?? finishedName.flatMap({ Names.isValidTaskID($0) ? $0 : nil }) else {
            found(.unknownEntry, path, "not a task file name; Spool ignores it", action: nil)
            return
        }
        // The listing's kind, or where the filesystem does not give one, the file's.
        let kind =
            listedKind == .unknown ? (try? Syscall.status(path, in: spool.rootDescriptor))?.kind : listedKind
        guard let kind else { return }  // moved on
        guard kind == .regular else {
            found(.unknownEntry, path, "not a regular file; Spool ignores it", action: nil)
            return
        }
        report.tasksChecked += 1
        if report.tasksChecked % 256 == 0 { progress(report.tasksChecked) }
        let record: TaskRecord
        do {
            record = try spool.readRecord(name, in: folder)
        } catch  where error.code == .corruptRecord {
            quarantine(name, in: folder, id: id, problem: .unreadable, reason: error.message)
            return
        } catch  where error.code == .notFound {
            return  // moved on while being read
        } catch {
            found(.unreadable, path, id: id, "cannot be read: \(error.message)", action: nil)
            return
        }
        guard record.id == id else {
            let reason = "\(path): its content is task \(record.id), its name says \(id)"
            quarantine(name, in: folder, id: id, problem: .unreadable, reason: reason)
            return
        }
        if seen.mayContain(id.utf8) { duplicateCandidates.insert(id) }
        seen.insert(id.utf8)
        if pendingName == nil, state != .done, state != .dead {
            let reason =
                "\(path): a task named \(name) has no place in \(state.rawValue)/ (pending tasks are named <due>.<id>.json)"
            quarantine(name, in: folder, id: id, problem: .misplaced, reason: reason)
            return
        }
        guard let misplacedTo else { return }
        if let pendingName, misplacedTo != .done, misplacedTo != .dead {
            let due = pendingName.due
            let target =
                misplacedTo == .active || due <= now
                ? SpoolLayout.activeFolder(queue: queue) : SpoolLayout.scheduledFolder(queue: queue, due: due)
            let detail = "a task due \(due.rfc3339) in \(folder)/"
            moveMisplaced(name, in: folder, id: id, detail: detail, to: name, in: target)
        } else {
            let detail = "a finished task under a pending task's name"
            moveMisplaced(name, in: folder, id: id, detail: detail, to: "\(id).json", in: folder)
        }
    }

    /// Reports `folder/name` as misplaced and moves it to `newFolder/newName`, never over another file.
    private mutating func moveMisplaced(
        _ name: String,
        in folder: String,
        id: String,
        detail: String,
        to newName: String,
        in newFolder: String
    ) {
        let spool = spool
        found(.misplaced, "\(folder)/\(name)", id: id, detail, action: "moved to \(newFolder)/\(newName)") {
            (try? spool.move(name, in: folder, to: newName, in: newFolder, rule: .ownName, sync: true)) != nil
        }
    }

    /// Reports `folder/name` and moves it to `rejected/` with `reason`.
    mutating func quarantine(_ name: String, in folder: String, id: String?, problem: FsckProblem, reason: String) {
        let spool = spool
        found(problem, "\(folder)/\(name)", id: id, reason, action: "moved to rejected/") {
            (try? spool.quarantine(name, in: folder, reason: reason)) != nil
        }
    }
}
