import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// The format version of the spool, from its `format` file: 1 when there is none (a spool made before
    /// the version was written).
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/corruptRecord`` if the file holds anything but a
    ///   version number.
    public func formatVersion() throws(SpoolError) -> Int {
        var bytes: [UInt8] = []
        // On a network filesystem (GlusterFS, NFS), a stamp that another host's process replaced by rename
        // between this open and its read answers `ESTALE`: the file is opened again by name.
        for attempt in 1...3 {
            do {
                let file = try FileDescriptor.open(SpoolLayout.formatFile, in: rootDescriptor, .readOnly)
                bytes = try file.closeAfter { (file) throws(Errno) in try file.readAll(limit: 64).bytes }
                break
            } catch .noSuchFileOrDirectory {
                return 1
            } catch .staleNFSFileHandle where attempt < 3 {
                continue
            } catch {
                throw SpoolError(error, "read", "\(root)/\(SpoolLayout.formatFile)")
            }
        }
        // Written only by rename of a flushed file, it is empty only after a power loss cut its writing
        // short on a filesystem that did not flush it: the stamp is written again.
        if bytes.isEmpty { return 1 }
        var text = String(decoding: bytes, as: UTF8.self)
        while text.last == "\n" || text.last == " " { text.removeLast() }
        guard text.utf8.count <= 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), let version = Int(text),
            version >= 1
        else {
            throw SpoolError(
                .corruptRecord,
                "\(root)/\(SpoolLayout.formatFile) holds \(JSONWriter.quoted(text)), not a format version"
            )
        }
        return version
    }

    /// Checks the spool's format version when it is opened, and migrates an older spool that the process
    /// may change to ``SpoolLayout/formatVersion``: the folders the newer version adds are made, then the
    /// version is written. Every step can be repeated, so an interrupted migration finishes at the next open.
    /// A `fresh` spool (its folder was empty) is only stamped.
    ///
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/unsupported`` for a spool of a newer format.
    func settleFormat(fresh: Bool) throws(SpoolError) {
        let version = try formatVersion()
        guard version <= SpoolLayout.formatVersion else {
            throw SpoolError(
                .unsupported,
                "\(root) is a spool of format \(version); this Spool reads format \(SpoolLayout.formatVersion) and older"
            )
        }
        guard version < SpoolLayout.formatVersion, access.writes else { return }
        // 1 → 2: the cron/ and unique/ folders; the keys of waiting and running tasks (version 1 stored
        // them without enforcing them: of two tasks with one key, the first found holds it); the stamp.
        try makeBaseFolders(flushing: configuration.durability.syncsEnqueue)
        if !fresh { try indexExistingTasks() }
        // Flushed whatever the durability level: a spool is stamped once.
        let staged = try stage(Array("\(SpoolLayout.formatVersion)\n".utf8), sync: true)
        let tmp = try folders.handle(SpoolLayout.tmp, create: true)
        do {
            try Syscall.rename(staged, in: tmp.descriptor, to: SpoolLayout.formatFile, in: rootDescriptor)
            try rootDescriptor.synchronize()
        } catch {
            discardStaged(staged)
            throw SpoolError(error, "write", "\(root)/\(SpoolLayout.formatFile)")
        }
        guard !fresh else { return }
        logger.notice(
            "spool format migrated",
            metadata: [
                "spool.root": "\(root)", "spool.format.from": "\(version)",
                "spool.format.to": "\(SpoolLayout.formatVersion)",
            ]
        )
    }

    /// For the migration from version 1: indexes the `key` of every task that has one, and reserves the
    /// unique key of every waiting or running task that has one (a key held already stays with its holder).
    private func indexExistingTasks() throws(SpoolError) {
        var failure: SpoolError?
        forEachTask { location in
            guard let record = try? record(at: location),
                record.uniqueKey != nil || record.key != nil || record.deadline != nil || record.deleteAt != nil
            else {
                return true
            }
            do throws(SpoolError) {
                switch location.state {
                case .done, .dead: indexFinish(of: record, in: location.folder)
                default: try indexPlacement(of: record, due: location.due ?? clock.now)
                }
                guard location.state != .done, location.state != .dead else { return true }
                try reserveUniqueKey(of: record, token: "", now: record.createdAt ?? clock.now, sync: false)
            } catch  where error.code == .alreadyExists {
                logger.warning(
                    "two waiting tasks hold one unique key; the first keeps it",
                    metadata: ["spool.task.id": "\(record.id)", "spool.error": "\(error.message)"]
                )
            } catch {
                failure = error
                return false
            }
            return true
        }
        if let failure { throw failure }
    }
}
