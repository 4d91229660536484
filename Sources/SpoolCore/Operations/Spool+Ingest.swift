import Logging
import SpoolSystem
import SystemPackage

/// What became of one file in `incoming/`.
public enum IngestOutcome: Sendable, Hashable {
    /// Accepted: the task is now in `active/` or `scheduled/` under this id.
    case accepted(id: String, queue: String)
    /// Moved to `rejected/<name>` with this reason.
    case rejected(name: String, reason: String)
    /// Not for us: not a `*.json` name, or another process took it first.
    case skipped
}

extension Spool {
    /// Whether a name in `incoming/` is a drop to ingest: `*.json`, not hidden (producers may write
    /// `.name.tmp` files there and rename them when complete).
    public static func isDropName(_ name: String) -> Bool {
        name.hasSuffix(".json") && !name.hasPrefix(".") && name.utf8.count <= 200
    }

    /// The names waiting in `incoming/`.
    public func pendingDrops() throws -> [String] {
        try Syscall.entries(in: SpoolLayout.incoming, relativeTo: rootDescriptor).map(\.name).filter(Spool.isDropName)
    }

    /// Ingests the drop `name` from `incoming/`: claims it by rename into `tmp/`, validates it, rewrites it
    /// in normal form (id, `created_at`, `run_at`) and moves it into place, or moves it byte for byte to
    /// `rejected/` with a `.reason` file.
    ///
    /// Safe to call from several processes for the same name: one claims it, the others get ``IngestOutcome/skipped``.
    public func ingest(_ name: String) throws(SpoolError) -> IngestOutcome {
        guard Spool.isDropName(name) else { return .skipped }
        let claimed = stagingName(.ingest, suffix: name)
        do {
            try move(name, in: SpoolLayout.incoming, to: claimed, in: SpoolLayout.tmp, flags: .exclusive)
        } catch  where error.code == .notFound {
            return .skipped
        }
        if configuration.durability.syncsMoves {
            try synchronizeFolder(SpoolLayout.tmp)
            try synchronizeFolder(SpoolLayout.incoming)
        }
        return try ingestClaimed(claimed, originalName: name)
    }

    /// Finishes the ingest of a drop already claimed into `tmp/` as `claimed`; also used by recovery for
    /// the claims of a process that died, which is why every step can be repeated.
    func ingestClaimed(_ claimed: String, originalName: String) throws(SpoolError) -> IngestOutcome {
        let now = clock.now
        let bytes: [UInt8]
        switch readDrop(claimed) {
        case .failure(let reason): return try reject(claimed, originalName: originalName, reason: reason.reason)
        case .success(let content): bytes = content
        }
        var idWasGiven = true
        var record: TaskRecord
        do {
            record = try TaskRecord.parse(bytes, now: now) {
                idWasGiven = false
                return ids.next(at: now)
            }
        } catch {
            return try reject(claimed, originalName: originalName, reason: error.reason)
        }
        if idWasGiven {
            do {
                try reserve(id: record.id, queue: record.queue, token: claimed)
            } catch  where error.code == .alreadyExists {
                return try reject(claimed, originalName: originalName, reason: error.message)
            }
        }
        if record.createdAt == nil { record.createdAt = now }
        if record.runAt == nil { record.runAt = record.createdAt }
        let normal = record.encoded
        if normal != bytes {
            try rewrite(claimed, in: SpoolLayout.tmp, with: normal)
        } else if configuration.durability.syncsEnqueue {
            // Already in normal form: no rewrite flushes it, and the producer may not have flushed it either.
            try synchronizeStaged(claimed)
        }
        do {
            try moveIntoPlace(claimed, in: SpoolLayout.tmp, record: record, due: record.runAt ?? now, now: now)
        } catch  where error.code == .alreadyExists {
            // The same task (same id, same due time) is already in place: a repeated recovery step.
            discardStaged(claimed)
        }
        logger.info("ingested", metadata: metadata(record).merging(["spool.drop": "\(originalName)"]) { $1 })
        return .accepted(id: record.id, queue: record.queue)
    }

    /// Reads a claimed drop, or says why it cannot be a task.
    private func readDrop(_ claimed: String) -> Result<[UInt8], TaskValidationError> {
        guard let tmp = try? folders.handle(SpoolLayout.tmp, create: false) else {
            return .failure(TaskValidationError("could not open tmp/"))
        }
        let file: FileDescriptor
        do {
            // Non-blocking, so that a FIFO cannot stall the ingest; never following a symbolic link.
            file = try FileDescriptor.open(claimed, in: tmp.descriptor, .readOnly, options: [.nonBlocking])
        } catch .tooManySymbolicLinkLevels {
            return .failure(TaskValidationError("not a regular file: symbolic link"))
        } catch {
            return .failure(TaskValidationError("could not open: \(error)"))
        }
        return file.closeAfter { file in
            do {
                let status = try file.status()
                guard status.kind == .regular else {
                    return .failure(TaskValidationError("not a regular file: \(status.kind)"))
                }
                let limit = configuration.maximumTaskBytes
                guard status.size <= limit else {
                    return .failure(TaskValidationError("too large: \(status.size) bytes (limit \(limit))"))
                }
                let content = try file.readAll(limit: limit)
                guard !content.truncated else {
                    return .failure(TaskValidationError("too large: more than \(limit) bytes (limit \(limit))"))
                }
                return .success(content.bytes)
            } catch {
                return .failure(TaskValidationError("could not read: \(error)"))
            }
        }
    }

    /// Moves a claimed drop to `rejected/`, unchanged, next to a `<name>.reason` file holding `reason`.
    private func reject(_ claimed: String, originalName: String, reason: String) throws(SpoolError) -> IngestOutcome {
        let name = try moveToRejected(claimed, in: SpoolLayout.tmp, as: originalName, reason: reason)
        logger.info("rejected", metadata: ["spool.drop": "\(originalName)", "spool.reason": "\(reason)"])
        return .rejected(name: name, reason: reason)
    }

    /// Moves `folder/file` to `rejected/<name>` (or `<name>.<ulid>` if taken, never overwriting), after
    /// writing `rejected/<name>.reason`. A crash between the two leaves the file where it was, to be
    /// handled again.
    ///
    /// - Returns: The name used in `rejected/`.
    func moveToRejected(_ file: String, in folder: String, as name: String, reason: String) throws(SpoolError) -> String
    {
        let rejected = try folders.handle(SpoolLayout.rejected, create: true)
        var target = name
        for _ in 0..<3 {
            if (try? Syscall.status(target, in: rejected.descriptor)) != nil {
                target = "\(name).\(ids.next(at: clock.now))"
            }
            let note = try stage(Array((reason + "\n").utf8), sync: configuration.durability.syncsRewrites)
            do {
                try move(note, in: SpoolLayout.tmp, to: target + ".reason", in: SpoolLayout.rejected)
            } catch {
                discardStaged(note)
                throw error
            }
            do {
                try move(
                    file,
                    in: folder,
                    to: target,
                    in: SpoolLayout.rejected,
                    flags: .exclusive,
                    sync: configuration.durability.syncsMoves
                )
                return target
            } catch  where error.code == .alreadyExists {
                target = "\(name).\(ids.next(at: clock.now))"
            }
        }
        throw SpoolError(.alreadyExists, "no free name in rejected/ for \(name)")
    }

    /// Flushes the content of the staging file `name`.
    private func synchronizeStaged(_ name: String) throws(SpoolError) {
        let tmp = try folders.handle(SpoolLayout.tmp, create: false)
        do {
            let file = try FileDescriptor.open(name, in: tmp.descriptor, .readOnly)
            try file.closeAfter { (file) throws(Errno) in try file.synchronizeData() }
        } catch {
            throw SpoolError(error, "flush", "\(SpoolLayout.tmp)/\(name)")
        }
    }

    /// Flushes the folder `path` (relative to the root).
    func synchronizeFolder(_ path: String) throws(SpoolError) {
        let folder = try folders.handle(path, create: true)
        do {
            try folder.descriptor.synchronize()
        } catch {
            throw SpoolError(error, "flush folder", path)
        }
    }
}
