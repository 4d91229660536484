import Logging
import SpoolSystem

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
}
