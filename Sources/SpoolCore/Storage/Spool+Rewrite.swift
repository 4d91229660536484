import SpoolSystem
import SystemPackage

/// Where a file rewritten without `RENAME_EXCHANGE` goes back to if its writer dies with the file set aside:
/// the last part of the set-aside name in `tmp/` (`o.<worker>.<sequence>.<place>`).
enum RewritePlace: Equatable {
    /// `r.<name>`: `running/<queue>/<worker>/<name>`, the queue read from the file.
    case running(name: String)
    /// `g.<id>`: `groups/<id>/callback.<worker>.json`, a callback the worker took.
    case groupCallback(group: String)

    /// The place of `name` in `folder`, if a rewrite there must set the file aside: where another process
    /// may move the file away meanwhile (a janitor taking an expired lease or a dead process's callback).
    init?(rewriting name: String, in folder: String) {
        if folder.hasPrefix(SpoolLayout.running + "/") {
            self = .running(name: name)
        } else if folder.hasPrefix(GroupLayout.groups + "/") {
            self = .groupCallback(group: String(folder.dropFirst(GroupLayout.groups.count + 1)))
        } else {
            return nil
        }
    }

    /// Parses the last part of a set-aside name.
    init?(suffix: String) {
        if suffix.hasPrefix("r."), TaskFileName(String(suffix.dropFirst(2))) != nil {
            self = .running(name: String(suffix.dropFirst(2)))
        } else if suffix.hasPrefix("g."), Names.isValidTaskID(String(suffix.dropFirst(2))) {
            self = .groupCallback(group: String(suffix.dropFirst(2)))
        } else {
            return nil
        }
    }

    var suffix: String {
        switch self {
        case .running(let name): "r.\(name)"
        case .groupCallback(let group): "g.\(group)"
        }
    }
}

extension Spool {
    /// Replaces the content of `folder/name` by rewrite-by-rename: `bytes` are staged in `tmp/` and flushed,
    /// then take the file's place in one step, and the old content is deleted in the background
    /// (``DeferredUnlink``). A rewrite never recreates a task that another process has moved on.
    ///
    /// With `RENAME_EXCHANGE`, the staged file and the current one are exchanged, which fails if the file is
    /// gone. Without it (GlusterFS, NFS, CephFS), the current file is first renamed aside into `tmp/` (one
    /// rename, which only one process can make, so it fails if another took the file), then the staged one
    /// is renamed into its place; a janitor puts a set-aside file back if its writer died between the two.
    /// Files in `tmp/` belong to their writer alone and are replaced by a plain rename.
    ///
    /// - Parameters:
    ///   - lease: For a task file in `running/`, the lease expiry the new content carries as its
    ///     modification time. Without it, the new file would show the time it was written: to a janitor, a
    ///     lease that expired, taken from the process that is still recording the outcome.
    ///   - fence: The number of attempts the file must record: the writer's view of it at its claim. A file
    ///     that records another number belongs to another attempt (the lease was lost and the task claimed
    ///     again under the same name); it is left as it was and the rewrite refused.
    /// - Throws: ``SpoolError`` with code ``SpoolError/Code/leaseLost`` if the file is gone or fenced off.
    func rewrite(
        _ name: String,
        in folder: String,
        with bytes: [UInt8],
        lease: FileTime? = nil,
        fence: Int? = nil
    ) throws(SpoolError) {
        // The folders first: a failure to open one must not leave the staged content behind.
        let tmp = try folders.handle(SpoolLayout.tmp, create: true)
        let target = try folders.handle(folder, create: false)
        let staged = try stage(bytes, sync: configuration.durability.syncsRewrites, modificationTime: lease)
        guard renameFlags.contains(.swap) else {
            return try rewriteWithoutExchange(name, in: folder, staged: staged, fence: fence)
        }
        do {
            try gate.pass { () throws(Errno) in
                try Syscall.rename(staged, in: tmp.descriptor, to: name, in: target.descriptor, flags: .swap)
            }
        } catch .noSuchFileOrDirectory {
            discardStaged(staged)
            throw SpoolError(.leaseLost, "rewrite \(folder)/\(name): moved by another process")
        } catch .invalidArgument, .noFunction {
            // Part of the spool on another filesystem than its probe saw.
            return try rewriteWithoutExchange(name, in: folder, staged: staged, fence: fence)
        } catch {
            discardStaged(staged)
            throw SpoolError(error, "rewrite", "\(folder)/\(name)")
        }
        // The staging name now holds the previous content.
        if let fence, recordedAttempts(staged) != fence {
            // Exchanged back: the other attempt's file is as it was, and the staging name holds this content.
            try? gate.pass { () throws(Errno) in
                try Syscall.rename(staged, in: tmp.descriptor, to: name, in: target.descriptor, flags: .swap)
            }
            discardStaged(staged)
            throw SpoolError(.leaseLost, "rewrite \(folder)/\(name): the file records another attempt")
        }
        // Freeing its blocks may wait for the device, so it is deleted on the deletion thread; if the
        // process dies first, the janitor deletes it.
        DeferredUnlink.unlink(staged, in: tmp.descriptor)
    }

    /// The rewrite of ``rewrite(_:in:with:lease:fence:)`` without `RENAME_EXCHANGE`.
    private func rewriteWithoutExchange(_ name: String, in folder: String, staged: String, fence: Int?)
        throws(SpoolError)
    {
        guard let place = RewritePlace(rewriting: name, in: folder) else {
            let tmp = try folders.handle(SpoolLayout.tmp, create: true)
            let target = try folders.handle(folder, create: false)
            do {
                try gate.pass { () throws(Errno) in
                    try Syscall.rename(staged, in: tmp.descriptor, to: name, in: target.descriptor)
                }
            } catch {
                discardStaged(staged)
                throw SpoolError(error, "rewrite", "\(folder)/\(name)")
            }
            return
        }
        try rewriteSettingAside(name, in: folder, staged: staged, place: place, fence: fence)
    }

    /// `folder/name` renamed aside into `tmp/`, checked against `fence`, and `staged` renamed into its place.
    private func rewriteSettingAside(
        _ name: String,
        in folder: String,
        staged: String,
        place: RewritePlace,
        fence: Int?
    ) throws(SpoolError) {
        let tmp = try folders.handle(SpoolLayout.tmp, create: true)
        let target = try folders.handle(folder, create: false)
        let aside = stagingName(.setAside, suffix: place.suffix)
        do {
            try gate.pass { () throws(Errno) in
                try Syscall.rename(name, in: target.descriptor, to: aside, in: tmp.descriptor)
            }
        } catch .noSuchFileOrDirectory {
            discardStaged(staged)
            throw SpoolError(.leaseLost, "rewrite \(folder)/\(name): moved by another process")
        } catch {
            discardStaged(staged)
            throw SpoolError(error, "rewrite", "\(folder)/\(name)")
        }
        if let fence, recordedAttempts(aside) != fence {
            try? gate.pass { () throws(Errno) in
                try Syscall.rename(aside, in: tmp.descriptor, to: name, in: target.descriptor)
            }
            discardStaged(staged)
            throw SpoolError(.leaseLost, "rewrite \(folder)/\(name): the file records another attempt")
        }
        do {
            // The name is free, and only this process puts a file under it: its own worker's folder, or the
            // callback it took.
            try gate.pass { () throws(Errno) in
                try Syscall.rename(staged, in: tmp.descriptor, to: name, in: target.descriptor)
            }
        } catch {
            // The old content goes back, as if the rewrite had not begun.
            try? gate.pass { () throws(Errno) in
                try Syscall.rename(aside, in: tmp.descriptor, to: name, in: target.descriptor)
            }
            discardStaged(staged)
            throw SpoolError(error, "rewrite", "\(folder)/\(name)")
        }
        // At once, not on the deletion thread: once the task moves on, a set-aside file left by a crash
        // would be put back by the janitor and the task found in two places.
        try? Syscall.unlink(aside, in: tmp.descriptor)
    }

    /// The number of attempts the task file `name` in `tmp/` records; `nil` if it cannot be read.
    private func recordedAttempts(_ name: String) -> Int? {
        guard let bytes = try? read(name, in: SpoolLayout.tmp), let json = try? JSONParser.parse(bytes),
            case .object = json
        else { return nil }
        guard let attempts = json["attempts"] else { return 0 }
        guard case .array(let list) = attempts else { return nil }
        return list.count
    }

    /// Settles a file that a rewrite set aside (``rewrite(_:in:with:lease:fence:)``) for a writer that is
    /// gone: if the new content took its place (or the task is found anywhere, having moved on since), the
    /// old one is removed; else the file goes back, where the janitor then returns its lease or takes over
    /// its callback.
    func recoverSetAside(_ aside: String, owner: WorkerName, place: RewritePlace) {
        let folder: String
        let name: String
        switch place {
        case .running(let fileName):
            guard let record = try? readRecord(aside, in: SpoolLayout.tmp) else {
                try? quarantine(aside, in: SpoolLayout.tmp, reason: "a task file set aside by a rewrite, unreadable")
                return
            }
            if find(id: record.id) != nil {
                discardStaged(aside)
                return
            }
            folder = SpoolLayout.runningFolder(queue: record.queue, worker: owner)
            name = fileName
        case .groupCallback(let group):
            folder = GroupLayout.folder(group)
            name = GroupLayout.takenCallback(by: owner)
        }
        do {
            try move(aside, in: SpoolLayout.tmp, to: name, in: folder, rule: .exclusive)
        } catch  where error.code == .alreadyExists {
            discardStaged(aside)
        } catch {
            return
        }
    }
}
