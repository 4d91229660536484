import SpoolSystem

extension FsckCheck {
    // MARK: Duplicates

    /// Finds the copies of every id the filter saw twice, keeps the most advanced one, and removes a second
    /// name of the same file or moves any other copy to `rejected/`.
    mutating func settleDuplicates() {
        guard !duplicateCandidates.isEmpty else { return }
        var copies: [String: [TaskLocation]] = [:]
        let candidates = duplicateCandidates
        spool.forEachTask { location in
            if candidates.contains(location.id) { copies[location.id, default: []].append(location) }
            return true
        }
        for id in copies.keys.sorted() {
            // Only copies that exist together are duplicates: a task that moved during the walk was seen twice.
            let present = copies[id]!.compactMap { location in
                (try? Syscall.status(location.path, in: spool.rootDescriptor)).map { (location, $0) }
            }
            guard present.count > 1 else { continue }
            let ranked = present.map { ($0, $1, advancement(of: $0)) }.sorted { $0.2 > $1.2 }
            let (kept, keptStatus, _) = ranked[0]
            for (copy, status, _) in ranked.dropFirst() {
                if status.inode == keptStatus.inode, status.device == keptStatus.device {
                    let spool = spool
                    found(.duplicate, copy.path, id: id, "a second name of \(kept.path)", action: "name removed") {
                        (try? spool.unlinkSecondName(copy.fileName, in: copy.folder, keeping: kept.path)) != nil
                    }
                } else {
                    let reason = "\(copy.path): a second copy of task \(id); the copy at \(kept.path) was kept"
                    quarantine(copy.fileName, in: copy.folder, id: id, problem: .duplicate, reason: reason)
                }
            }
        }
    }

    /// How far a copy of a task went, to compare copies: its state (finished, running, due, scheduled),
    /// then the attempts it records, then its due time (a retry only puts it later), then its path.
    private func advancement(of location: TaskLocation) -> (Int, Int, Int64, String) {
        let order: [TaskState: Int] = [.scheduled: 0, .active: 1, .running: 2, .dead: 3, .done: 3]
        let attempts = (try? spool.record(at: location))?.attempts.count ?? -1
        return (order[location.state]!, attempts, location.due?.milliseconds ?? .max, location.path)
    }

    // MARK: References

    /// Checks the reservations and index entries that name tasks: those whose task the filter never saw
    /// are looked for once more, all in one walk, and those still not found are reported and removed.
    mutating func checkReferences() {
        var references: [FsckReference] = []
        forEachReference { reference in
            if !seen.mayContain(reference.id.utf8) { references.append(reference) }
        }
        guard !references.isEmpty else { return }
        // A task placed after its folder was walked: its reservation or entry was made first, and its
        // staging file is gone by now, so a second walk finds it.
        var missing = Set(references.map(\.id))
        spool.forEachTask { location in
            missing.remove(location.id)
            return !missing.isEmpty
        }
        if !options.dryRun, references.contains(where: { $0.kind == .uniqueKey }) {
            _ = spool.sweepUniqueKeys(now: now)
        }
        let spool = spool
        for reference in references where missing.contains(reference.id) {
            func gone() -> Bool { (try? Syscall.status(reference.path, in: spool.rootDescriptor)) == nil }
            switch reference.kind {
            case .id:
                let detail = "id reserved for a task that is not in the spool (lost, or purged after this was copied)"
                found(.orphanedReservation, reference.path, id: reference.id, detail, action: "reservation removed") {
                    spool.removeLink(reference.path, holding: reference.text) && gone()
                }
            case .uniqueKey:
                let detail = "unique key held by task \(reference.id), which is not in the spool"
                found(
                    .orphanedReservation,
                    reference.path,
                    id: reference.id,
                    detail,
                    action: "key released",
                    repair: gone
                )
            case .indexEntry:
                let detail = "index entry of a task that is not in the spool"
                found(.orphanedIndexEntry, reference.path, id: reference.id, detail, action: "entry removed") {
                    spool.removeLink(reference.path, holding: reference.text) && gone()
                }
            }
        }
    }

    /// Calls `body` with every reservation and index entry that names a task, except those that may belong
    /// to work in progress: a reservation whose staging file is still in `tmp/`, a unique key whose holder
    /// finished, an index entry written in the last minute (unless ``FsckOptions/restored``).
    private func forEachReference(_ body: (FsckReference) -> Void) {
        let spool = spool
        func link(_ path: String) -> String? {
            try? Syscall.readSymbolicLink(path, in: spool.rootDescriptor)
        }
        func staged(_ token: String) -> Bool {
            !token.isEmpty && !token.contains("/")
                && (try? Syscall.status("\(SpoolLayout.tmp)/\(token)", in: spool.rootDescriptor)) != nil
        }
        func recent(_ path: String) -> Bool {
            guard !options.restored, let status = try? Syscall.status(path, in: spool.rootDescriptor) else {
                return false
            }
            return now.milliseconds - status.changeTime.milliseconds < 60_000
        }
        for id in spool.names(in: SpoolLayout.ids).sorted() where Names.isValidTaskID(id) {
            let path = "\(SpoolLayout.ids)/\(id)"
            guard let text = link(path), let slash = text.firstIndex(of: "/"),
                !staged(String(text[text.index(after: slash)...]))
            else { continue }
            body(FsckReference(kind: .id, id: id, path: path, text: text))
        }
        for queue in spool.names(in: SpoolLayout.unique).sorted() where Names.isValidQueueName(queue) {
            let folder = SpoolLayout.uniqueFolder(queue: queue)
            for name in spool.names(in: folder).sorted() where name != SpoolLayout.uniqueLock {
                let path = "\(folder)/\(name)"
                guard let text = link(path), let holder = UniqueKeyHolder(text: text), !holder.finished,
                    Names.isValidTaskID(holder.task), !staged(holder.token)
                else { continue }
                body(FsckReference(kind: .uniqueKey, id: holder.task, path: path, text: text))
            }
        }
        for shard in spool.names(in: SpoolLayout.keys).sorted() {
            let folder = "\(SpoolLayout.keys)/\(shard)"
            // Entries are `<key name>+<id>`; a name with a dot is a replacement being staged.
            for name in spool.names(in: folder).sorted() where !name.contains(".") {
                guard let plus = name.lastIndex(of: "+") else { continue }
                let id = String(name[name.index(after: plus)...])
                let path = "\(folder)/\(name)"
                guard Names.isValidTaskID(id), !recent(path), let text = link(path) else { continue }
                body(FsckReference(kind: .indexEntry, id: id, path: path, text: text))
            }
        }
        for day in spool.names(in: SpoolLayout.deadlines).sorted() {
            for minute in spool.names(in: "\(SpoolLayout.deadlines)/\(day)").sorted() {
                let folder = "\(SpoolLayout.deadlines)/\(day)/\(minute)"
                // Entries are `<time>.<id>` or `<time>.<id>.delete`; longer names are staged replacements.
                for name in spool.names(in: folder).sorted() {
                    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
                    guard parts.count == 2 || (parts.count == 3 && parts[2] == "delete") else { continue }
                    let id = String(parts[1])
                    let path = "\(folder)/\(name)"
                    guard Names.isValidTaskID(id), !recent(path), let text = link(path) else { continue }
                    body(FsckReference(kind: .indexEntry, id: id, path: path, text: text))
                }
            }
        }
    }
}

/// A reservation or index entry naming a task.
struct FsckReference {
    enum Kind { case id, uniqueKey, indexEntry }
    var kind: Kind
    /// The task it names.
    var id: String
    /// The link, relative to the spool root.
    var path: String
    /// Its text when it was read, so that a link replaced since is left alone.
    var text: String
}

extension Spool {
    /// Removes the symbolic link at `path` if it still holds `text`; `true` if it did.
    func removeLink(_ path: String, holding text: String) -> Bool {
        guard (try? Syscall.readSymbolicLink(path, in: rootDescriptor)) == text else { return false }
        return (try? Syscall.unlink(path, in: rootDescriptor)) != nil
    }
}
