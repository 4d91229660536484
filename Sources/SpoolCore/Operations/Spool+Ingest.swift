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
    /// The longest drop name, in bytes, that Spool ingests; a longer `*.json` name is rejected.
    public static let maximumDropNameBytes = 200

    /// Whether a name in `incoming/` is a drop: `*.json`, not hidden. Other names are left alone (producers
    /// may write `.name.tmp` files there and rename them when complete). A drop whose name is longer than
    /// ``maximumDropNameBytes`` is rejected for it.
    public static func isDropName(_ name: String) -> Bool {
        name.hasSuffix(".json") && !name.hasPrefix(".")
    }

    /// ``isDropName(_:)`` for the raw bytes of a name, which need not be valid UTF-8.
    static func isDropName(utf8 bytes: some Collection<UInt8>) -> Bool {
        bytes.first != UInt8(ascii: ".") && bytes.count > 5 && bytes.suffix(5).elementsEqual(".json".utf8)
    }

    /// Whether the entry `name` just created in `incoming/` is complete at once: anything but a regular file
    /// with one link, which its writer may still be writing (its closing is awaited instead). A link to a
    /// written file, a symbolic link, a FIFO, a socket or a device appear complete, and are never closed
    /// after a write.
    public func isCompleteOnCreation(drop name: String) -> Bool {
        guard Spool.isDropName(name) else { return false }
        guard let status = try? Syscall.status("\(SpoolLayout.incoming)/\(name)", in: rootDescriptor) else {
            return false
        }
        return status.kind != .regular || status.linkCount > 1
    }

    /// The drops waiting in `incoming/`. A drop whose name is not valid UTF-8 is first renamed within
    /// `incoming/` to a name that is: printable ASCII kept, every other byte (and `%`) written `%XX`.
    public func pendingDrops() throws -> [String] {
        var names: [String] = []
        var misnamed: [[UInt8]] = []
        try Syscall.forEachEntryName(in: SpoolLayout.incoming, relativeTo: rootDescriptor) { bytes, _ in
            guard Spool.isDropName(utf8: bytes) else { return true }
            if let name = String(validating: bytes, as: UTF8.self) {
                names.append(name)
            } else {
                misnamed.append(Array(bytes))
            }
            return true
        }
        for bytes in misnamed {
            if let name = try renameMisnamedDrop(bytes) { names.append(name) }
        }
        return names
    }

    /// Renames a drop whose name is not valid UTF-8 (never replacing another drop); `nil` if it is gone.
    private func renameMisnamedDrop(_ bytes: [UInt8]) throws(SpoolError) -> String? {
        try requireWrites("rename drop")
        var encoded = ""
        for byte in bytes.dropLast(5) {
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "%") {
                encoded.append(Character(Unicode.Scalar(byte)))
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
            if encoded.utf8.count >= 150 { break }
        }
        let incoming = try folders.handle(SpoolLayout.incoming, create: false)
        // Without `RENAME_NOREPLACE`, the new name is one no other drop can have.
        let exclusive = renameFlags.contains(.exclusive)
        var name = exclusive ? encoded + ".json" : "\(encoded).\(ids.next(at: clock.now)).json"
        for _ in 0..<3 {
            do {
                try gate.pass { () throws(Errno) in
                    try Syscall.rename(
                        rawName: bytes,
                        in: incoming.descriptor,
                        to: name,
                        flags: exclusive ? .exclusive : []
                    )
                }
                logger.warning("drop name is not UTF-8; renamed", metadata: ["spool.drop": "\(name)"])
                return name
            } catch .fileExists {
                name = "\(encoded).\(ids.next(at: clock.now)).json"
            } catch .noSuchFileOrDirectory {
                return nil
            } catch {
                throw SpoolError(error, "rename drop", "\(SpoolLayout.incoming)/\(name)")
            }
        }
        return nil
    }

    /// Ingests the drop `name` from `incoming/`: claims it by rename into `tmp/`, validates it, rewrites it
    /// in normal form (id, `created_at`, `run_at`) and moves it into place, or moves it byte for byte to
    /// `rejected/` with a `.reason` file.
    ///
    /// Safe to call from several processes for the same name: one claims it, the others get ``IngestOutcome/skipped``.
    ///
    /// - Throws: ``SpoolError`` when the filesystem fails (full, out of descriptors, read-only): the drop is
    ///   then back in `incoming/` (under its name, or `<name>.<ULID>.json` if a new drop took it), to be
    ///   ingested once the fault ends. A drop that is not a valid task is never an error: it is rejected.
    public func ingest(_ name: String) throws(SpoolError) -> IngestOutcome {
        guard Spool.isDropName(name) else { return .skipped }
        let claimed = stagingName(.ingest, suffix: name)
        do {
            try move(name, in: SpoolLayout.incoming, to: claimed, in: SpoolLayout.tmp, rule: .ownName)
        } catch  where error.code == .notFound {
            return .skipped
        }
        do {
            if configuration.durability.syncsMoves {
                try synchronizeFolder(SpoolLayout.tmp)
                try synchronizeFolder(SpoolLayout.incoming)
            }
            if name.utf8.count > Spool.maximumDropNameBytes {
                let reason = "drop name longer than \(Spool.maximumDropNameBytes) bytes (\(name.utf8.count))"
                return try reject(claimed, originalName: name, reason: reason)
            }
            return try ingestClaimed(claimed, originalName: name)
        } catch {
            returnDrop(claimed, as: name)
            throw error
        }
    }

    /// Moves a claimed drop whose ingest failed for a fault of the filesystem back to `incoming/`.
    private func returnDrop(_ claimed: String, as name: String) {
        var target = name
        for _ in 0..<3 {
            do {
                try move(claimed, in: SpoolLayout.tmp, to: target, in: SpoolLayout.incoming, rule: .exclusive)
                return
            } catch  where error.code == .alreadyExists {
                target = "\(name.dropLast(5).prefix(150)).\(ids.next(at: clock.now)).json"
            } catch {
                // Left in tmp/: recovered when this process is gone (at the latest at its next start).
                logger.error(
                    "could not return a drop to incoming/",
                    metadata: ["spool.drop": "\(name)", "spool.error": "\(error)"]
                )
                return
            }
        }
    }

    /// Finishes the ingest of a drop already claimed into `tmp/` as `claimed`; also used by recovery for
    /// the claims of a process that died, which is why every step can be repeated.
    func ingestClaimed(_ claimed: String, originalName: String) throws(SpoolError) -> IngestOutcome {
        let now = clock.now
        let drop: DropContent
        switch readDrop(claimed) {
        case .failure(let reason): return try reject(claimed, originalName: originalName, reason: reason.reason)
        case .success(let content): drop = content
        }
        let bytes = drop.bytes
        if let json = GroupRequest.candidate(bytes) {
            return try ingestGroup(claimed, originalName: originalName, json: json, now: now)
        }
        // Ids are also generated for the drop's workflow steps that have none: the task's own id was given
        // unless it is one of those generated.
        var generated: Set<String> = []
        var record: TaskRecord
        do {
            record = try TaskRecord.parse(bytes, now: now) {
                let id = ids.next(at: now)
                generated.insert(id)
                return id
            }
        } catch {
            return try reject(claimed, originalName: originalName, reason: error.reason)
        }
        do {
            try checkStepIDs(of: record)
        } catch {
            return try reject(claimed, originalName: originalName, reason: error.message)
        }
        var reserved = false
        if !generated.contains(record.id) {
            do {
                reserved = try reserve(id: record.id, queue: record.queue, token: claimed)
            } catch  where error.code == .alreadyExists {
                return try reject(claimed, originalName: originalName, reason: error.message)
            }
        }
        do {
            try reserveUniqueKey(of: record, token: claimed, now: now, sync: true)
        } catch  where error.code == .alreadyExists {
            if reserved { releaseReservation(id: record.id) }
            return try reject(claimed, originalName: originalName, reason: error.message)
        } catch {
            if reserved { releaseReservation(id: record.id) }
            throw error
        }
        if record.createdAt == nil { record.createdAt = now }
        // Due at acceptance when it says nothing, as FORMAT.md says: not at its `created_at`, which a drop
        // exported from elsewhere may carry, and which may lie anywhere up to the year 9999.
        if record.runAt == nil { record.runAt = now }
        let span = tracing.startEnqueue(&record, source: .drop, at: now)
        do {
            try indexPlacement(of: record, due: placedDue(record, now: now), sync: true)
            try place(claimed, record: record, read: drop, now: now)
        } catch {
            // The drop goes back to be ingested again: so do its id, its unique key and its index entry.
            unindexPlacement(of: record)
            releaseUniqueKey(of: record, madeFor: claimed)
            if reserved { releaseReservation(id: record.id) }
            tracing.endEnqueue(span, failure: error, at: clock.now)
            throw error
        }
        tracing.endEnqueue(span, failure: nil, at: clock.now)
        metrics.enqueued(record.queue, source: .drop)
        logger.info("ingested", metadata: metadata(record).merging(["spool.drop": "\(originalName)"]) { $1 })
        return .accepted(id: record.id, queue: record.queue)
    }

    /// Writes a claimed drop in normal form (or flushes it, when it was already) and moves it into place.
    private func place(_ claimed: String, record: TaskRecord, read drop: DropContent, now: Timestamp) throws(SpoolError)
    {
        let normal = record.encoded
        // A drop with another name (a hard link) is rewritten even in normal form: the task's file must be
        // one that nothing outside the spool can change.
        if normal != drop.bytes || drop.isShared {
            try rewrite(claimed, in: SpoolLayout.tmp, with: normal)
        } else if configuration.durability.syncsEnqueue {
            // Already in normal form: no rewrite flushes it, and the producer may not have flushed it either.
            try synchronizeStaged(claimed)
        }
        do {
            try placeDurably(claimed, record: record, due: record.runAt ?? now, now: now)
        } catch  where error.code == .alreadyExists {
            // The same task (same id, same due time) is already in place: a repeated recovery step.
            discardStaged(claimed)
        }
    }

    /// Reads a claimed drop, or says why it cannot be a task.
    private func readDrop(_ claimed: String) -> Result<DropContent, TaskValidationError> {
        guard let tmp = try? folders.handle(SpoolLayout.tmp, create: false) else {
            return .failure(TaskValidationError("could not open tmp/"))
        }
        // The kind first, without opening: a socket or a device cannot be opened to be told apart.
        if let status = try? Syscall.status(claimed, in: tmp.descriptor), status.kind != .regular {
            let kind = status.kind == .symlink ? "symbolic link" : "\(status.kind)"
            return .failure(TaskValidationError("not a regular file: \(kind)"))
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
                return .success(DropContent(bytes: content.bytes, isShared: status.linkCount > 1))
            } catch {
                return .failure(TaskValidationError("could not read: \(error)"))
            }
        }
    }

    /// Moves a claimed drop to `rejected/`, unchanged, next to a `<name>.reason` file holding `reason`.
    func reject(_ claimed: String, originalName: String, reason: String) throws(SpoolError) -> IngestOutcome {
        // Keeps the drop's name when `<name>.reason` fits a file name; else a shorter one, unique.
        let kept =
            originalName.utf8.count <= Spool.maximumDropNameBytes
            ? originalName : "\(originalName.truncated(toBytes: 160)).\(ids.next(at: clock.now))"
        // A drop's name is the producer's: another drop of that name may be rejected at the same instant.
        let name = try moveToRejected(claimed, in: SpoolLayout.tmp, as: kept, rule: .exclusive, reason: reason)
        metrics.dropRejected()
        logger.warning("rejected", metadata: ["spool.drop": "\(originalName)", "spool.reason": "\(reason)"])
        return .rejected(name: name, reason: reason)
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

/// What an ingest read of a drop.
private struct DropContent {
    /// The drop's bytes.
    var bytes: [UInt8]
    /// Whether the file has another name (a hard link): its content could then change under the task.
    var isShared: Bool
}
