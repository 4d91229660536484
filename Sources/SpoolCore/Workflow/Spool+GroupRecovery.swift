import Logging
import SpoolSystem

extension Spool {
    /// The janitor's part for a staged result marker whose writer is gone: placed if its member reached the
    /// state it records, else removed (the finish never happened, and the member will run again).
    func recoverGroupResult(staged: String) {
        guard let bytes = try? read(staged, in: SpoolLayout.tmp), let json = try? JSONParser.parse(bytes),
            let marker = GroupResult(json: json), let location = find(id: marker.id), location.state == marker.state
        else {
            discardStaged(staged)
            return
        }
        do {
            try placeGroupResult(staged: staged)
        } catch {
            logger.error(
                "group result not recorded yet",
                metadata: ["spool.file": "\(SpoolLayout.tmp)/\(staged)", "spool.error": "\(error.message)"]
            )
        }
    }

    /// Removes the folder of a group whose creation was interrupted (`tmp/g.<worker>.<sequence>`), with the
    /// id reservations made for its members: the enqueue never returned, so the group never was. A claimed
    /// drop that held the group goes back to `tmp/`, to be ingested again.
    func discardGroupDraft(_ name: String) {
        let draft = "\(SpoolLayout.tmp)/\(name)"
        for entry in names(in: draft) where entry.hasPrefix(StagingKind.ingest.rawValue + ".") {
            try? move(entry, in: draft, to: entry, in: SpoolLayout.tmp, rule: .ownName)
        }
        for entry in names(in: draft) where GroupLayout.parseMember(entry) != nil {
            guard let bytes = try? read(entry, in: draft),
                let record = try? TaskRecord.parse(bytes, now: clock.now, makeID: { "" })
            else { continue }
            if reservedBy(name, id: record.id, queue: record.queue) { releaseReservation(id: record.id) }
        }
        Syscall.removeTree(draft, relativeTo: rootDescriptor)
        folders.invalidate(draft)
    }

    /// One pass over `groups/`: places the members of groups whose creator died before placing them all,
    /// enqueues callbacks taken by a process that died before enqueueing them, and callbacks of complete
    /// groups that no process took (one died between recording the last result and taking the callback),
    /// and deletes the folders of finished groups past their retention.
    ///
    /// - Returns: How many members and callbacks it enqueued.
    func recoverGroups(now: Timestamp) -> Int {
        var enqueued = 0
        for id in names(in: GroupLayout.groups) where Names.isValidTaskID(id) {
            let folder = GroupLayout.folder(id)
            let entries = names(in: folder)
            guard let manifest = groupManifest(id) else { continue }
            if entries.contains(where: { GroupLayout.parseMember($0) != nil }),
                isAbandoned(manifest.createdBy, file: folder, now: now)
            {
                enqueued += placeLeftoverMembers(of: manifest)
            }
            for name in entries {
                guard let taker = GroupLayout.takerOfCallback(name), taker != worker,
                    isAbandoned("\(taker)", file: "\(folder)/\(name)", now: now)
                else { continue }
                let taken = GroupLayout.takenCallback(by: worker)
                guard (try? move(name, in: folder, to: taken, in: folder, rule: .ownName)) != nil else { continue }
                if (try? enqueueCallback(taken, of: manifest)) != nil { enqueued += 1 }
            }
            if entries.contains(GroupLayout.callback) { settleGroup(id) }
            if isExpired(manifest, entries: names(in: folder), now: now) {
                Syscall.removeTree(folder, relativeTo: rootDescriptor)
                folders.invalidate(folder)
            }
        }
        return enqueued
    }

    /// Whether work left by process `owner` may be taken over: it ran on this host and is gone, or (on
    /// another host, whose processes cannot be seen) `file`, or the group, has not changed for the staging
    /// timeout.
    private func isAbandoned(_ owner: String, file: String? = nil, now: Timestamp) -> Bool {
        guard let name = WorkerName(owner) else { return true }
        if name == worker { return false }
        if name.isGoneFromThisHost { return true }
        guard name.host != WorkerName.current.host, let file,
            let status = try? Syscall.status(file, in: rootDescriptor)
        else { return false }
        return Double(now.milliseconds - status.changeTime.milliseconds) > configuration.stagingTimeout * 1000
    }

    /// Places the members still in the group's folder, after its creator died: each that is not in the
    /// spool already (a power loss may bring back a placed member's name here) is renamed into place.
    func placeLeftoverMembers(of manifest: GroupManifest) -> Int {
        let folder = GroupLayout.folder(manifest.id)
        let now = clock.now
        var placed = 0
        for name in names(in: folder) where GroupLayout.parseMember(name) != nil {
            guard let record = try? readRecord(name, in: folder) else { continue }
            if find(id: record.id) != nil {
                if let directory = try? folders.handle(folder, create: false) {
                    try? Syscall.unlink(name, in: directory.descriptor)
                }
                continue
            }
            try? indexPlacement(of: record, due: placedDue(record, now: now), sync: true)
            if (try? moveIntoPlace(name, in: folder, record: record, due: record.runAt ?? now, now: now, sync: true))
                != nil
            {
                metrics.enqueued(record.queue, source: .workflow)
                placed += 1
            }
        }
        return placed
    }

    /// Whether a group with no callback being enqueued is finished (every member has a result, or it was
    /// cancelled) and its newest result is older than its retention. A callback still waiting then is held
    /// (a member failed), and goes with its group.
    private func isExpired(_ manifest: GroupManifest, entries: [String], now: Timestamp) -> Bool {
        guard !entries.contains(where: { GroupLayout.takerOfCallback($0) != nil || GroupLayout.parseMember($0) != nil })
        else { return false }
        let folder = GroupLayout.folder(manifest.id)
        let indices = Set(entries.compactMap { GroupLayout.parseResult($0)?.index })
        let cancelled = entries.contains(GroupLayout.cancelled)
        guard cancelled || indices.count >= manifest.members.count else { return false }
        // The latest finish is in the marker written last; its time is read from it, by the spool's clock.
        var newest: (name: String, modified: Int64)?
        for name in entries where GroupLayout.parseResult(name) != nil || name == GroupLayout.cancelled {
            guard let status = try? Syscall.status("\(folder)/\(name)", in: rootDescriptor) else { continue }
            if status.modificationTime.milliseconds > newest?.modified ?? .min {
                newest = (name, status.modificationTime.milliseconds)
            }
        }
        var finished = manifest.createdAt
        if let newest, let bytes = try? read(newest.name, in: folder) {
            if newest.name == GroupLayout.cancelled {
                let text = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace).first
                finished = text.flatMap { Timestamp(rfc3339: String($0)) } ?? finished
            } else if let json = try? JSONParser.parse(bytes), let marker = GroupResult(json: json) {
                finished = marker.finishedAt
            }
        }
        return finished.adding(seconds: manifest.retention) < now
    }
}
