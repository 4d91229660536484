import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// Writes `bytes` to a new file in `tmp/` and returns its name; the file is flushed when `sync` is set,
    /// and gets `modificationTime` when given. On failure nothing is left behind.
    func stage(
        _ bytes: [UInt8],
        sync: Bool,
        kind: StagingKind = .write,
        suffix: String? = nil,
        modificationTime: FileTime? = nil
    ) throws(SpoolError) -> String {
        try requireWrites("write")
        let tmp = try folders.handle(SpoolLayout.tmp, create: true)
        let name = stagingName(kind, suffix: suffix)
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(
                name,
                in: tmp.descriptor,
                .writeOnly,
                options: [.create, .exclusiveCreate],
                permissions: [.ownerReadWrite, .groupRead, .otherRead]
            )
        } catch {
            throw SpoolError(error, "create", "\(SpoolLayout.tmp)/\(name)")
        }
        do {
            try file.closeAfter { (file) throws(Errno) in
                try file.writeAll(bytes)
                if let modificationTime { try file.setModificationTime(modificationTime) }
                if sync { try file.synchronizeData() }
            }
        } catch {
            try? Syscall.unlink(name, in: tmp.descriptor)
            throw SpoolError(error, "write", "\(SpoolLayout.tmp)/\(name)")
        }
        return name
    }

    /// Removes a staging file, ignoring a file already gone.
    func discardStaged(_ name: String) {
        guard let tmp = try? folders.handle(SpoolLayout.tmp, create: false) else { return }
        try? Syscall.unlink(name, in: tmp.descriptor)
    }

    /// Moves `name` in `folder` to `newName` in `newFolder`, creating `newFolder` if needed, and flushes
    /// `newFolder` when `sync` is set (and `folder` too under ``Durability/full``).
    ///
    /// - Throws: ``SpoolError`` with code ``SpoolError/Code/notFound`` when the source is gone (another
    ///   process moved it), ``SpoolError/Code/alreadyExists`` when `flags` holds `.exclusive` and the target exists.
    func move(
        _ name: String,
        in folder: String,
        to newName: String,
        in newFolder: String,
        flags: RenameFlags = [],
        sync: Bool = false
    ) throws(SpoolError) {
        try requireWrites("move")
        let source = try folders.handle(folder, create: false)
        for retry in 0..<3 {
            let target = try folders.handle(newFolder, create: true)
            do {
                try gate.pass { () throws(Errno) in
                    try Syscall.rename(name, in: source.descriptor, to: newName, in: target.descriptor, flags: flags)
                }
            } catch .noSuchFileOrDirectory {
                // Either the source is gone, or the target folder was removed under a cached handle.
                if (try? Syscall.status(name, in: source.descriptor)) == nil {
                    throw SpoolError(.notFound, "move \(folder)/\(name): already moved by another process")
                }
                folders.invalidate(newFolder)
                if retry == 2 { throw SpoolError(.noSuchFileOrDirectory, "move into", newFolder) }
                continue
            } catch {
                throw SpoolError(error, "move \(folder)/\(name) to", "\(newFolder)/\(newName)")
            }
            if sync {
                do { try target.descriptor.synchronize() } catch { throw SpoolError(error, "flush folder", newFolder) }
                // Under `full`, the source folder too: btrfs can keep a committed old name of a moved file
                // after a power loss, unless its folder is flushed, and the task would then be in two places.
                if configuration.durability.syncsMoves {
                    do { try source.descriptor.synchronize() } catch { throw SpoolError(error, "flush folder", folder) }
                }
            }
            return
        }
    }

    /// Replaces the content of `folder/name` by rewrite-by-rename: `bytes` are staged in `tmp/`, flushed, and
    /// atomically exchanged with the current file, whose old content is then deleted in the background
    /// (``DeferredUnlink``).
    ///
    /// The exchange fails if `folder/name` no longer exists, so a rewrite never recreates a task that another
    /// process has moved on.
    ///
    /// - Parameter lease: For a task file in `running/`, the lease expiry the new content carries as its
    ///   modification time. Without it, the new file would show the time it was written: to a janitor, a
    ///   lease that expired, taken from the process that is still recording the outcome.
    /// - Throws: ``SpoolError`` with code ``SpoolError/Code/leaseLost`` if the file is gone.
    func rewrite(_ name: String, in folder: String, with bytes: [UInt8], lease: FileTime? = nil) throws(SpoolError) {
        // The folders first: a failure to open one must not leave the staged content behind.
        let tmp = try folders.handle(SpoolLayout.tmp, create: true)
        let target = try folders.handle(folder, create: false)
        let staged = try stage(bytes, sync: configuration.durability.syncsRewrites, modificationTime: lease)
        do {
            try gate.pass { () throws(Errno) in
                try Syscall.rename(staged, in: tmp.descriptor, to: name, in: target.descriptor, flags: .swap)
            }
        } catch .noSuchFileOrDirectory {
            discardStaged(staged)
            throw SpoolError(.leaseLost, "rewrite \(folder)/\(name): moved by another process")
        } catch {
            discardStaged(staged)
            throw SpoolError(error, "rewrite", "\(folder)/\(name)")
        }
        // The staging name now holds the previous content. Freeing its blocks may wait for the device, so it
        // is deleted on the deletion thread; if the process dies first, the janitor deletes it.
        DeferredUnlink.unlink(staged, in: tmp.descriptor)
    }

    /// The largest task file read back from inside the spool: the drop limit plus room for what Spool
    /// records (attempts, result).
    var maximumStoredBytes: Int { configuration.maximumTaskBytes + (16 << 20) }

    /// Reads a task file of the spool.
    func read(_ name: String, in folder: String) throws(SpoolError) -> [UInt8] {
        let directory = try folders.handle(folder, create: false)
        do {
            let file = try FileDescriptor.open(name, in: directory.descriptor, .readOnly)
            return try file.closeAfter { (file) throws(Errno) in
                try file.readAll(limit: maximumStoredBytes).bytes
            }
        } catch {
            throw SpoolError(error, "read", "\(folder)/\(name)")
        }
    }

    /// Reads and parses a task file already in the spool. With `queue`, the folder's queue wins over
    /// the content's, since where the file is decides where it moves next.
    func readRecord(_ name: String, in folder: String, queue: String? = nil) throws(SpoolError) -> TaskRecord {
        let bytes = try read(name, in: folder)
        var record: TaskRecord
        do {
            record = try TaskRecord.parse(bytes, now: clock.now, makeID: { ids.next(at: clock.now) })
        } catch {
            throw SpoolError(.corruptRecord, "\(folder)/\(name): \(error.reason)")
        }
        if let queue, record.queue != queue {
            logger.warning(
                "task file names another queue than its folder",
                metadata: ["spool.file": "\(folder)/\(name)"]
            )
            record.queue = queue
        }
        return record
    }
}
