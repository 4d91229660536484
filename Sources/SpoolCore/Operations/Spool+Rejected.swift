import Logging
import SpoolSystem
import SystemPackage

/// A file in `rejected/` and why it is there.
public struct RejectedFile: Sendable, Hashable {
    /// Its name in `rejected/`.
    public var name: String
    /// The one line of its `.reason` file; `nil` if that is missing.
    public var reason: String?
    /// Its size in bytes.
    public var size: Int64
    /// When it was last written or moved (its status change time): when it was rejected, unless edited since.
    public var changed: Timestamp
}

extension Spool {
    /// The files in `rejected/`, the most recently rejected first, at most `limit` of them, and whether there
    /// are more. Memory follows `limit`, not the number of files.
    public func rejectedFiles(limit: Int) -> (files: [RejectedFile], more: Bool) {
        var newest: [(changed: Int64, name: String)] = []
        var total = 0
        guard let folder = try? folders.handle(SpoolLayout.rejected, create: false) else { return ([], false) }
        try? Syscall.forEachEntry(in: SpoolLayout.rejected, relativeTo: rootDescriptor) { entry in
            guard !entry.name.hasSuffix(".reason"), !entry.name.hasPrefix("."),
                let status = try? Syscall.status(entry.name, in: folder.descriptor), status.kind == .regular
            else { return true }
            total += 1
            let item = (status.changeTime.milliseconds, entry.name)
            // Kept sorted newest first, cut to `limit`.
            let index = newest.firstIndex { $0 < item } ?? newest.endIndex
            if index < limit {
                newest.insert(item, at: index)
                if newest.count > limit { newest.removeLast() }
            }
            return true
        }
        let files = newest.map { changed, name in
            let reason = (try? read("\(name).reason", in: SpoolLayout.rejected)).map {
                String(decoding: $0, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            }
            let size = (try? Syscall.status(name, in: folder.descriptor))?.size ?? 0
            return RejectedFile(name: name, reason: reason, size: size, changed: Timestamp(milliseconds: changed))
        }
        return (files, total > files.count)
    }

    /// Submits `rejected/<name>` again, fixed by hand meanwhile: moves it into `incoming/` (under its own
    /// name when that is a drop name, else under a new one), removes its `.reason`, and ingests it, as the
    /// daemon would. A running daemon may ingest it first: the outcome is then ``IngestOutcome/skipped``.
    ///
    /// - Returns: What the ingest did: accepted (the task's id), or rejected again (with the new reason).
    /// - Throws: ``SpoolError/Code/notFound`` if `rejected/` holds no such file.
    public func resubmitRejected(_ name: String) throws(SpoolError) -> IngestOutcome {
        try requireWrites("resubmit")
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.hasSuffix(".reason"),
            let status = try? Syscall.status("\(SpoolLayout.rejected)/\(name)", in: rootDescriptor),
            status.kind == .regular
        else {
            throw SpoolError(.notFound, "no rejected file \"\(name)\"")
        }
        var dropName = Spool.isDropName(name) ? name : "resubmitted.\(ids.next(at: clock.now)).json"
        _ = try folders.handle(SpoolLayout.incoming, create: true)
        do {
            try move(name, in: SpoolLayout.rejected, to: dropName, in: SpoolLayout.incoming, rule: .exclusive)
        } catch  where error.code == .alreadyExists {
            // A drop of that name waits in incoming/: this one goes in beside it.
            dropName = "\(dropName.dropLast(5)).\(ids.next(at: clock.now)).json"
            try move(name, in: SpoolLayout.rejected, to: dropName, in: SpoolLayout.incoming, rule: .exclusive)
        }
        if let rejected = try? folders.handle(SpoolLayout.rejected, create: false) {
            try? Syscall.unlink("\(name).reason", in: rejected.descriptor)
        }
        logger.info("rejected file resubmitted", metadata: ["spool.drop": "\(dropName)", "spool.rejected": "\(name)"])
        return try ingest(dropName)
    }

    /// Moves `folder/file` to `rejected/<name>` (or `<name>.<ulid>` if taken, never overwriting), after
    /// writing `rejected/<name>.reason`. A crash between the two leaves the file where it was, to be
    /// handled again.
    ///
    /// `rule` says whose the name is: ``MoveRule/ownName`` for a task's own file name, ``MoveRule/exclusive``
    /// for a drop's name, which another drop may have. Without `RENAME_NOREPLACE`, a drop is moved by
    /// ``linkToRejected(_:in:as:reason:)``; a task's file, or a drop the system will not hard-link, by a
    /// plain rename after a check of the name.
    ///
    /// - Returns: The name used in `rejected/`.
    func moveToRejected(
        _ file: String,
        in folder: String,
        as name: String,
        rule: MoveRule = .ownName,
        reason: String
    ) throws(SpoolError) -> String {
        if case .exclusive = rule, !renameFlags.contains(.exclusive),
            let target = try linkToRejected(file, in: folder, as: name, reason: reason)
        {
            return target
        }
        let rejected = try folders.handle(SpoolLayout.rejected, create: true)
        var target = name
        for _ in 0..<3 {
            if (try? Syscall.status(target, in: rejected.descriptor)) != nil {
                target = "\(name).\(ids.next(at: clock.now))"
            }
            try writeReason(reason, for: target)
            do {
                try move(
                    file,
                    in: folder,
                    to: target,
                    in: SpoolLayout.rejected,
                    rule: rule,
                    sync: configuration.durability.syncsMoves
                )
                return target
            } catch  where error.code == .alreadyExists {
                target = "\(name).\(ids.next(at: clock.now))"
            }
        }
        throw SpoolError(.alreadyExists, "no free name in rejected/ for \(name)")
    }

    /// ``moveToRejected(_:in:as:rule:reason:)`` for a drop, on a filesystem without `RENAME_NOREPLACE`:
    /// the file is first given its name in `rejected/` by a hard link, which only one process can make
    /// (`EEXIST` for the others, who take `<name>.<ulid>`), then `<name>.reason` is written, and then the
    /// old name is removed.
    ///
    /// A crash before the removal leaves the drop under both names, its reason perhaps not yet written; its
    /// recovery rejects it again, finds its own link under the name (the same inode), writes the reason and
    /// removes the old name.
    ///
    /// - Returns: The name used in `rejected/`; `nil`, with nothing changed, when the system refuses a hard
    ///   link to the file (`fs.protected_hardlinks` and a drop of another user, a filesystem without hard
    ///   links), as ``rename(_:in:to:in:rule:)`` does for such a file.
    private func linkToRejected(_ file: String, in folder: String, as name: String, reason: String)
        throws(SpoolError) -> String?
    {
        let source = try folders.handle(folder, create: false)
        let rejected = try folders.handle(SpoolLayout.rejected, create: true)
        let status: FileStatus
        do { status = try Syscall.status(file, in: source.descriptor) } catch {
            throw SpoolError(error, "inspect", "\(folder)/\(file)")
        }
        var target = name
        for _ in 0..<3 {
            do {
                try gate.pass { () throws(Errno) in
                    try Syscall.link(file, in: source.descriptor, to: target, in: rejected.descriptor)
                }
            } catch .fileExists {
                let existing = try? Syscall.status(target, in: rejected.descriptor)
                guard let existing, existing.inode == status.inode, existing.device == status.device else {
                    target = "\(name).\(ids.next(at: clock.now))"
                    continue
                }
                // The link made by an earlier attempt at this rejection, which a crash cut short.
            } catch .notPermitted, .permissionDenied, .notSupported {
                return nil
            } catch {
                throw SpoolError(error, "link \(folder)/\(file) to", "\(SpoolLayout.rejected)/\(target)")
            }
            try writeReason(reason, for: target)
            if configuration.durability.syncsMoves { try synchronizeFolder(SpoolLayout.rejected) }
            do {
                try gate.pass { () throws(Errno) in try Syscall.unlink(file, in: source.descriptor) }
            } catch .noSuchFileOrDirectory {
                // Removed already: nothing else moves a claimed drop.
            } catch {
                throw SpoolError(error, "remove", "\(folder)/\(file)")
            }
            return target
        }
        throw SpoolError(.alreadyExists, "no free name in rejected/ for \(name)")
    }

    /// Writes `rejected/<target>.reason`, replacing one a crash left, by staging and rename.
    private func writeReason(_ reason: String, for target: String) throws(SpoolError) {
        let note = try stage(Array((reason + "\n").utf8), sync: configuration.durability.syncsRewrites)
        do {
            try move(note, in: SpoolLayout.tmp, to: target + ".reason", in: SpoolLayout.rejected)
        } catch {
            discardStaged(note)
            throw error
        }
    }
}
