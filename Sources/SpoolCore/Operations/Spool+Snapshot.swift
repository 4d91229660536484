import Logging
import SpoolSystem
import SystemPackage

/// What a snapshot copied, and how long it held writers back.
public struct SnapshotReport: Sendable, Hashable {
    /// Files given a second name in the copy (task files, reservations' folders aside).
    public var linked = 0
    /// Files copied byte for byte: those changed in place (`ratelimits/`, `format`, `spool.yaml`), lock files, and any the
    /// filesystem would not link.
    public var copied = 0
    /// Symbolic links (reservations, index entries) made again in the copy.
    public var symlinks = 0
    /// Folders made in the copy.
    public var folders = 0
    /// Entries of other kinds (a FIFO dropped in `incoming/`, say), left out.
    public var skipped = 0
    /// How long the snapshot waited for renames under way to end, in milliseconds.
    public var waitMilliseconds: Int64 = 0
    /// Folders looked at again while renames were held back: those changed since the first pass.
    public var rescannedFolders = 0
    /// How long renames were held back while the spool was copied, in milliseconds.
    public var pauseMilliseconds: Int64 = 0

    /// An empty report.
    public init() {}
}

extension Spool {
    /// Copies the spool, as it stands at one instant, into the new folder `destination`, while other
    /// processes go on using it: each task acknowledged before the call is in the copy exactly once,
    /// under the name it had at that instant. Renames in the spool wait while the copy is made (the
    /// ``SnapshotGate``); creations and removals go on, and the copy holds each of them done or not,
    /// as a crash at that instant would. Files get a second name (a hard link: task files are never changed
    /// after they are written) where the filesystem allows, else a copy; `ratelimits/`, `format` and
    /// `spool.yaml`, which may be changed in place, and the lock files of `unique/` are copied. The copy is an ordinary spool: a `spoold` opened on it
    /// recovers it as after a crash (a running task's lease is returned, counted as an attempt).
    ///
    /// - Parameters:
    ///   - destination: A folder to create; it must not exist yet, or be empty, and lie outside the spool.
    ///   - timeout: Seconds to wait for the renames under way to end.
    ///   - progress: Called with the entries copied so far.
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/alreadyExists`` if `destination` holds anything,
    ///   ``SpoolError/Code/timedOut`` if the renames did not pause within `timeout`.
    @discardableResult
    public func snapshot(
        to destination: String,
        timeout: Double = 30,
        progress: (Int) -> Void = { _ in }
    ) throws(SpoolError) -> SnapshotReport {
        let target = try makeSnapshotFolder(destination)
        defer { target.closeQuietly() }
        let lock: FileDescriptor
        do { lock = try FileDescriptor.openDirectory(root) } catch { throw SpoolError(error, "open", root) }
        defer { lock.closeQuietly() }
        var report = SnapshotReport()
        var copiedEntries = 0
        let count = {
            copiedEntries += 1
            if copiedEntries % 1024 == 0 { progress(copiedEntries) }
        }
        // First pass, while renames go on: every entry linked, each folder's modification time noted.
        var folders: [CopiedFolder] = []
        try copyFolder(rootDescriptor, into: target, path: "", report: &report, noting: &folders, copied: count)
        let asked = clock.now
        let giveUp = asked.adding(seconds: timeout)
        while true {
            do {
                if try lock.tryLockExclusively() { break }
            } catch {
                throw SpoolError(error, "lock", root)
            }
            guard clock.now < giveUp else {
                throw SpoolError(
                    .timedOut,
                    "snapshot: renames in \(root) did not pause within \(timeout) s (a stopped process?)"
                )
            }
            OSThread.sleep(milliseconds: 1)
        }
        let start = clock.now
        report.waitMilliseconds = start.milliseconds - asked.milliseconds
        // Second pass, renames held: only the folders changed since their first listing are brought up to
        // this instant, in the same order, so that the pause grows with the changes, not the spool.
        do {
            for folder in folders {
                try reconcile(folder, into: target, report: &report, copied: count)
            }
        } catch {
            try? lock.unlock()
            throw error
        }
        try? lock.unlock()
        report.pauseMilliseconds = clock.now.milliseconds - start.milliseconds
        progress(copiedEntries)
        do { try target.synchronizeFileSystem() } catch { throw SpoolError(error, "flush", destination) }
        logger.notice(
            "snapshot made",
            metadata: [
                "spool.snapshot": "\(destination)", "spool.count": "\(report.linked + report.copied)",
                "spool.pause_ms": "\(report.pauseMilliseconds)",
            ]
        )
        return report
    }

    /// Creates `destination` (or takes it if it is an empty folder) and opens it; refuses a place inside
    /// the spool, which the copy would copy.
    private func makeSnapshotFolder(_ destination: String) throws(SpoolError) -> FileDescriptor {
        do {
            try Syscall.makeDirectory(destination, in: .currentWorkingDirectory)
        } catch .fileExists {
            guard (try? Syscall.entries(in: destination))?.isEmpty == true else {
                throw SpoolError(.alreadyExists, "snapshot: \(destination) exists and is not an empty folder")
            }
        } catch {
            throw SpoolError(error, "create", destination)
        }
        let folder: FileDescriptor
        do { folder = try FileDescriptor.openDirectory(destination) } catch {
            throw SpoolError(error, "open", destination)
        }
        // Inside the spool if the spool's root is among its parents.
        if let rootStatus = try? Syscall.status(".", in: rootDescriptor) {
            var path = ".."
            for _ in 0..<64 {
                guard let status = try? Syscall.status(path, in: folder) else { break }
                if status.inode == rootStatus.inode && status.device == rootStatus.device {
                    folder.closeQuietly()
                    throw SpoolError(.invalidArgument, "snapshot: \(destination) is inside the spool")
                }
                guard let parent = try? Syscall.status("\(path)/..", in: folder), parent.inode != status.inode
                else { break }
                path += "/.."
            }
        }
        return folder
    }

    /// The root's folders copied first, in this order: reservations and indexes before the staging folder,
    /// and both before the tasks. Creations are not held back during a snapshot, and an enqueue reserves
    /// its id after staging its file: a reservation copied before `tmp/` has its staged file in the copy
    /// too, or its task, as a crash would leave them.
    static let snapshotOrder = [
        SpoolLayout.ids, SpoolLayout.unique, SpoolLayout.keys, SpoolLayout.deadlines, SpoolLayout.tmp,
    ]

    /// Copies the entries of `source` into `target`, folders recursively. `path` is the folder's path in
    /// the spool (empty for the root, whose folders go in ``snapshotOrder`` first); `copied` is called for
    /// each entry.
    private func copyFolder(
        _ source: FileDescriptor,
        into target: FileDescriptor,
        path: String,
        report: inout SnapshotReport,
        noting folders: inout [CopiedFolder],
        copied: () -> Void
    ) throws(SpoolError) {
        if let status = try? Syscall.status(".", in: source) {
            folders.append(
                CopiedFolder(
                    path: path,
                    modified: status.modificationTime.milliseconds,
                    listed: SystemClock().now.milliseconds
                )
            )
        }
        func copy(_ entry: DirectoryEntry) throws(SpoolError) {
            try copyEntry(
                entry,
                of: source,
                into: target,
                path: path,
                report: &report,
                noting: &folders,
                copied: copied
            )
        }
        if path.isEmpty {
            let entries = (try? Syscall.entries(in: ".", relativeTo: source)) ?? []
            let rank = { (name: String) in Spool.snapshotOrder.firstIndex(of: name) ?? Spool.snapshotOrder.count }
            for entry in entries.sorted(by: { (rank($0.name), $0.name) < (rank($1.name), $1.name) }) {
                try copy(entry)
            }
            return
        }
        var failure: SpoolError?
        try? Syscall.forEachEntry(in: ".", relativeTo: source) { entry in
            do throws(SpoolError) {
                try copy(entry)
            } catch {
                failure = error
                return false
            }
            return true
        }
        if let failure { throw failure }
    }

    /// Copies one entry of `source`: a folder recursively, a symbolic link made again, a file linked (or
    /// copied, for those changed in place and where linking fails).
    func copyEntry(
        _ entry: DirectoryEntry,
        of source: FileDescriptor,
        into target: FileDescriptor,
        path: String,
        report: inout SnapshotReport,
        noting folders: inout [CopiedFolder],
        copied: () -> Void
    ) throws(SpoolError) {
        var kind = entry.kind
        if kind == .unknown { kind = (try? Syscall.status(entry.name, in: source))?.kind ?? .unknown }
        switch kind {
        case .directory:
            try copySubfolder(
                entry.name,
                of: source,
                into: target,
                path: path,
                report: &report,
                noting: &folders,
                copied: copied
            )
        case .symlink:
            guard let text = try? Syscall.readSymbolicLink(entry.name, in: source) else { break }
            do throws(Errno) { try Syscall.makeSymbolicLink(entry.name, in: target, target: text) } catch {
                throw SpoolError(error, "snapshot: link", "\(path)\(entry.name)")
            }
            report.symlinks += 1
        case .regular:
            if !Spool.isChangedInPlace(entry.name, path: path) {
                do {
                    try Syscall.link(entry.name, in: source, to: entry.name, in: target)
                    report.linked += 1
                    break
                } catch .noSuchFileOrDirectory {
                    break  // deleted meanwhile (a purge, a rewrite's old content)
                } catch {
                    // Another filesystem, or one without hard links: a copy.
                }
            }
            if try copyFile(entry.name, in: source, into: target) { report.copied += 1 }
        default:
            report.skipped += 1
        }
        copied()
    }

    private func copySubfolder(
        _ name: String,
        of source: FileDescriptor,
        into target: FileDescriptor,
        path: String,
        report: inout SnapshotReport,
        noting folders: inout [CopiedFolder],
        copied: () -> Void
    ) throws(SpoolError) {
        guard let child = try? FileDescriptor.openDirectory(name, in: source) else { return }  // removed meanwhile
        defer { child.closeQuietly() }
        do { try Syscall.makeDirectory(name, in: target) } catch {
            throw SpoolError(error, "snapshot: create", "\(path)\(name)")
        }
        let copy: FileDescriptor
        do { copy = try FileDescriptor.openDirectory(name, in: target) } catch {
            throw SpoolError(error, "snapshot: open", "\(path)\(name)")
        }
        defer { copy.closeQuietly() }
        report.folders += 1
        try copyFolder(child, into: copy, path: "\(path)\(name)/", report: &report, noting: &folders, copied: copied)
    }

    /// Whether the file `name` in the folder `path` (empty, or ending in `/`) may be changed in place, or is
    /// locked (a lock belongs to the file, which a link would share with the spool): copied, not linked.
    /// Anything else is written once, then only renamed.
    static func isChangedInPlace(_ name: String, path: String) -> Bool {
        path.hasPrefix(SpoolLayout.rateLimits + "/") || name == SpoolLayout.uniqueLock
            || (path.isEmpty && (name == SpoolLayout.formatFile || name == "spool.yaml"))
    }

    /// Copies the bytes and modification time of `name`; `false` if it was deleted meanwhile.
    private func copyFile(_ name: String, in source: FileDescriptor, into target: FileDescriptor) throws(SpoolError)
        -> Bool
    {
        guard let file = try? FileDescriptor.open(name, in: source, .readOnly) else { return false }
        let limit = maximumStoredBytes
        do throws(Errno) {
            let (read, status) = try file.closeAfter { (file) throws(Errno) in
                (try file.readAll(limit: limit), try file.status())
            }
            guard !read.truncated else { throw Errno.fileTooLarge }
            let copy = try FileDescriptor.open(
                name,
                in: target,
                .writeOnly,
                options: [.create, .exclusiveCreate],
                permissions: [.ownerReadWrite, .groupRead, .otherRead]
            )
            try copy.closeAfter { (copy) throws(Errno) in try copy.writeAll(read.bytes) }
            try Syscall.setModificationTime(name, in: target, to: status.modificationTime)
            return true
        } catch {
            throw SpoolError(error, "snapshot: copy", name)
        }
    }
}
