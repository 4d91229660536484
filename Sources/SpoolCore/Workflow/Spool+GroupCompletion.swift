import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// Places a member's staged result marker in its group's folder (replacing the marker of an earlier
    /// finish of the same member), then enqueues the group's callback if the group is now complete.
    func placeGroupResult(staged: String) throws(SpoolError) {
        let bytes = try read(staged, in: SpoolLayout.tmp)
        guard let json = try? JSONParser.parse(bytes), let marker = GroupResult(json: json),
            Names.isValidTaskID(marker.group)
        else {
            discardStaged(staged)
            return
        }
        let name = GroupLayout.result(marker.index, state: marker.state)
        guard let group = try? folders.handle(GroupLayout.folder(marker.group), create: false) else {
            // The group was cleaned up or never completed its creation: nothing waits for this result.
            discardStaged(staged)
            return
        }
        let tmp = try folders.handle(SpoolLayout.tmp, create: true)
        do {
            try gate.pass { () throws(Errno) in
                try Syscall.rename(staged, in: tmp.descriptor, to: name, in: group.descriptor)
            }
        } catch .noSuchFileOrDirectory {
            return
        } catch {
            throw SpoolError(error, "place result", "\(GroupLayout.folder(marker.group))/\(name)")
        }
        if marker.state == .done {
            try? Syscall.unlink(GroupLayout.result(marker.index, state: .dead), in: group.descriptor)
        }
        if configuration.durability.syncsEnqueue { try synchronizeFolder(GroupLayout.folder(marker.group)) }
        // The result is recorded. A callback this process took and could not enqueue is left to its janitor;
        // one not taken, to any janitor's pass over the groups.
        settleGroup(marker.group)
    }

    /// Enqueues group `id`'s callback if every member has finished as its condition asks and no process has
    /// taken the callback yet. The callback is taken by one rename, which one process alone can make; if it
    /// cannot be enqueued then, the failure is logged and this process's janitor tries again.
    func settleGroup(_ id: String) {
        let folder = GroupLayout.folder(id)
        guard let manifest = groupManifest(id), isComplete(manifest),
            let directory = try? folders.handle(folder, create: false)
        else { return }
        let taken = GroupLayout.takenCallback(by: worker)
        do {
            try gate.pass { () throws(Errno) in
                try rename(
                    GroupLayout.callback,
                    in: directory.descriptor,
                    to: taken,
                    in: directory.descriptor,
                    rule: .ownName
                )
            }
        } catch {
            return
        }
        do {
            try enqueueCallback(taken, of: manifest)
        } catch {
            logger.error(
                "group callback not enqueued yet",
                metadata: ["spool.group": "\(id)", "spool.error": "\(error.message)"]
            )
            // Taken by this process, whose work other processes leave alone: its own janitor tries again.
            if error.code != .corruptRecord { strand(.groupCallback(group: id, taken: taken)) }
        }
    }

    /// Enqueues the callback that this process took as `name` in the folder of the group of `manifest`: its
    /// steps become a task whose payload holds the members' results in member order, written back under
    /// the same name, then renamed into place, which removes it from the group's folder.
    func enqueueCallback(_ name: String, of manifest: GroupManifest) throws(SpoolError) {
        let folder = GroupLayout.folder(manifest.id)
        let now = clock.now
        let json: JSONValue
        do {
            json = try JSONParser.parse(try read(name, in: folder))
        } catch {
            throw SpoolError(.corruptRecord, "\(folder)/\(name): \(error)")
        }
        var record: TaskRecord
        if case .array(let steps) = json {
            do {
                record = try WorkflowTemplate.task(
                    from: steps,
                    queue: "default",
                    now: now,
                    makeID: { ids.next(at: now) }
                )
            } catch {
                throw SpoolError(.corruptRecord, "\(folder)/\(name): \(error.reason)")
            }
            record.workflow = manifest.id
            if record.passResult != false { passResults(of: manifest, into: &record) }
            stamp(&record, now: now)
            try rewrite(name, in: folder, with: record.encoded)
        } else {
            // Written back already by a process that died before placing it.
            do {
                record = try TaskRecord(json: json, now: now, makeID: { ids.next(at: now) })
            } catch {
                throw SpoolError(.corruptRecord, "\(folder)/\(name): \(error.reason)")
            }
        }
        // Its id is reserved like any other, under the group's name, which a janitor taking over keeps.
        do {
            try reserve(id: record.id, queue: record.queue, token: "group.\(manifest.id)", searching: false)
        } catch  where error.code == .alreadyExists {
            logger.error(
                "group complete, callback not enqueued: its id is in use",
                metadata: metadata(record).merging(["spool.group": "\(manifest.id)"]) { $1 }
            )
            try? move(name, in: folder, to: GroupLayout.refusedCallback, in: folder)
            return
        }
        try indexPlacement(of: record, due: placedDue(record, now: now), sync: true)
        do {
            try moveIntoPlace(name, in: folder, record: record, due: record.runAt ?? now, now: now, sync: true)
        } catch  where error.code == .notFound {
            // Taken over by a janitor, which saw this process as gone.
            return
        }
        metrics.enqueued(record.queue, source: .workflow)
        logger.info(
            "group complete, callback enqueued",
            metadata: metadata(record).merging(["spool.group": "\(manifest.id)"]) { $1 }
        )
    }

    /// Passes the members' results into the callback's payload, in member order, a failed member's as
    /// `null`: the payload becomes the list of results when it is `null`, gets the list appended when it is
    /// a list, and gets `group_results` (and `group_errors`, when a member failed) when it is an object.
    private func passResults(of manifest: GroupManifest, into record: inout TaskRecord) {
        let folder = GroupLayout.folder(manifest.id)
        var results: [JSONValue] = []
        var errors: [JSONValue] = []
        for index in manifest.members.indices {
            let marker = [TaskState.done, .dead].lazy.compactMap { state -> GroupResult? in
                guard let bytes = try? self.read(GroupLayout.result(index, state: state), in: folder),
                    let json = try? JSONParser.parse(bytes)
                else { return nil }
                return GroupResult(json: json)
            }.first
            results.append(marker?.state == .done ? marker?.result ?? .null : .null)
            errors.append(marker?.state == .dead ? .string(marker?.error ?? "failed") : .null)
        }
        switch record.payload {
        case .null:
            record.payload = .array(results)
        case .object:
            record.payload = WorkflowTemplate.passing(.array(results), as: "group_results", into: record.payload)
            if errors.contains(where: { $0 != .null }) {
                record.payload = WorkflowTemplate.passing(.array(errors), as: "group_errors", into: record.payload)
            }
        default:
            record.payload = WorkflowTemplate.passing(.array(results), as: "group_results", into: record.payload)
        }
    }

    /// Whether the group of `manifest` waits for its callback (`callback.json` is there) and every member
    /// has finished as its condition asks. One listing of the group's folder, names read as bytes: a group's
    /// members each look once as they finish.
    private func isComplete(_ manifest: GroupManifest) -> Bool {
        let size = manifest.members.count
        var finished = [Bool](repeating: false, count: size)
        var succeeded = [Bool](repeating: false, count: size)
        var waiting = false
        let callback = Array(GroupLayout.callback.utf8)
        try? Syscall.forEachEntryName(in: GroupLayout.folder(manifest.id), relativeTo: rootDescriptor) { name, _ in
            if name.elementsEqual(callback) {
                waiting = true
            } else if let (index, done) = GroupLayout.parseResult(bytes: name), index < size {
                finished[index] = true
                if done { succeeded[index] = true }
            }
            return true
        }
        guard waiting else { return false }
        let ready = manifest.runCallback == .allSucceeded ? succeeded : finished
        return !ready.contains(false)
    }

    /// The manifest of group `id`, if the group exists and its manifest reads; cached by the manifest
    /// file's inode.
    func groupManifest(_ id: String) -> GroupManifest? {
        guard Names.isValidTaskID(id),
            let status = try? Syscall.status("\(GroupLayout.folder(id))/\(GroupLayout.manifest)", in: rootDescriptor)
        else { return nil }
        if let cached = groupManifests.manifest(id, inode: status.inode) { return cached }
        guard let bytes = try? read(GroupLayout.manifest, in: GroupLayout.folder(id)),
            let json = try? JSONParser.parse(bytes), let manifest = GroupManifest(json: json)
        else { return nil }
        groupManifests.insert(manifest, inode: status.inode)
        return manifest
    }
}
