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
    ///   process moved it), ``SpoolError/Code/alreadyExists`` when `rule` refuses to replace and the target
    ///   exists.
    func move(
        _ name: String,
        in folder: String,
        to newName: String,
        in newFolder: String,
        rule: MoveRule = .replacing,
        sync: Bool = false
    ) throws(SpoolError) {
        try requireWrites("move")
        for retry in 0..<3 {
            let source = try folders.handle(folder, create: false)
            let target = try folders.handle(newFolder, create: true)
            do {
                try gate.pass { () throws(Errno) in
                    try rename(name, in: source.descriptor, to: newName, in: target.descriptor, rule: rule)
                }
            } catch let errno where errno == .noSuchFileOrDirectory || errno == .staleNFSFileHandle {
                // Either the source is gone, or a folder was removed under a cached handle: a local filesystem
                // answers `ENOENT` for it, a network one `ESTALE` (another host removed a drained minute
                // folder, say). The source is looked for by its path, past any cached handle.
                folders.invalidate(folder)
                folders.invalidate(newFolder)
                if (try? Syscall.status("\(folder)/\(name)", in: rootDescriptor)) == nil {
                    throw SpoolError(.notFound, "move \(folder)/\(name): already moved by another process")
                }
                if retry == 2 { throw SpoolError(errno, "move \(folder)/\(name) to", "\(newFolder)/\(newName)") }
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

    /// The largest task file read back from inside the spool: the drop limit plus room for what Spool
    /// records (attempts, result).
    var maximumStoredBytes: Int { configuration.maximumTaskBytes + (16 << 20) }

    /// Reads a task file of the spool.
    func read(_ name: String, in folder: String) throws(SpoolError) -> [UInt8] {
        var retried = false
        while true {
            let directory = try folders.handle(folder, create: false)
            do {
                let file = try FileDescriptor.open(name, in: directory.descriptor, .readOnly)
                return try file.closeAfter { (file) throws(Errno) in
                    try file.readAll(limit: maximumStoredBytes).bytes
                }
            } catch .staleNFSFileHandle where !retried {
                // On a network filesystem, the cached folder was removed by another host (and maybe made
                // again): the folder is opened again by its path.
                folders.invalidate(folder)
                retried = true
            } catch {
                throw SpoolError(error, "read", "\(folder)/\(name)")
            }
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
