import SpoolSystem
import SystemPackage

/// A folder of the spool as a snapshot's first pass copied it.
struct CopiedFolder {
    /// Its path in the spool: empty for the root, else ending in `/`.
    var path: String
    /// Its modification time when the first pass was about to list it, in Unix milliseconds.
    var modified: Int64
    /// When the first pass was about to list it, in Unix milliseconds.
    var listed: Int64

    /// Whether the folder may have changed since it was listed, given its modification time now. A change
    /// sets the folder's time, but to a clock tick that may be coarse: a folder changed within a second of
    /// its listing is taken as changed whatever its time says.
    func mayHaveChanged(modifiedNow: Int64) -> Bool {
        modifiedNow != modified || modified >= listed - 1000
    }
}

extension Spool {
    /// Brings the copy of `folder` in `target` up to the folder as it is now, if it changed since the first
    /// pass: entries gone are removed, new ones copied (folders whole), and those replaced since (a
    /// rewrite's new file, a symbolic link made again) copied again; files changed in place are copied
    /// again. Subfolders that existed in the first pass are brought up to date by their own call.
    func reconcile(
        _ folder: CopiedFolder,
        into target: FileDescriptor,
        report: inout SnapshotReport,
        copied: () -> Void
    ) throws(SpoolError) {
        let relative = folder.path.isEmpty ? "." : String(folder.path.dropLast())
        guard let source = try? FileDescriptor.openDirectory(relative, in: rootDescriptor) else {
            Syscall.removeTree(relative, relativeTo: target)  // gone since
            return
        }
        defer { source.closeQuietly() }
        guard let copy = try? FileDescriptor.openDirectory(relative, in: target) else { return }  // parent gone
        defer { copy.closeQuietly() }
        let now = (try? Syscall.status(".", in: source))?.modificationTime.milliseconds ?? .max
        // A file written in place does not change its folder's time: the folders that hold some (the root
        // with `format` and `spool.yaml`, `ratelimits/`) are always looked at. The lock files of `unique/`
        // are copied but never written.
        let holdsFilesChangedInPlace = folder.path.isEmpty || folder.path.hasPrefix(SpoolLayout.rateLimits + "/")
        guard folder.mayHaveChanged(modifiedNow: now) || holdsFilesChangedInPlace else { return }
        report.rescannedFolders += 1
        let sourceEntries = Dictionary(
            ((try? Syscall.entries(in: ".", relativeTo: source)) ?? []).map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        let copyEntries = Dictionary(
            ((try? Syscall.entries(in: ".", relativeTo: copy)) ?? []).map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        for (name, entry) in copyEntries where sourceEntries[name] == nil {
            remove(name, kind: entry.kind, in: copy)
        }
        var unused: [CopiedFolder] = []
        for name in sourceEntries.keys.sorted() {
            let entry = sourceEntries[name]!
            if let existing = copyEntries[name] {
                guard
                    !isCurrent(
                        name,
                        kind: entry.kind,
                        copyKind: existing.kind,
                        in: source,
                        copy: copy,
                        path: folder.path
                    )
                else { continue }
                remove(name, kind: existing.kind, in: copy)
            }
            try copyEntry(
                entry,
                of: source,
                into: copy,
                path: folder.path,
                report: &report,
                noting: &unused,
                copied: copied
            )
        }
    }

    /// Whether the copy of `name` is still what the spool holds: the same folder (brought up to date by
    /// its own call), the same file (a second name of it), or a symbolic link with the same text.
    private func isCurrent(
        _ name: String,
        kind: FileKind,
        copyKind: FileKind,
        in source: FileDescriptor,
        copy: FileDescriptor,
        path: String
    ) -> Bool {
        guard kind == copyKind else { return false }
        switch kind {
        case .directory:
            return true
        case .symlink:
            return (try? Syscall.readSymbolicLink(name, in: source)) == (try? Syscall.readSymbolicLink(name, in: copy))
        case .regular:
            guard !Spool.isChangedInPlace(name, path: path), let original = try? Syscall.status(name, in: source),
                let copied = try? Syscall.status(name, in: copy)
            else { return false }
            return original.inode == copied.inode && original.device == copied.device
        default:
            return true
        }
    }

    private func remove(_ name: String, kind: FileKind, in folder: FileDescriptor) {
        if kind == .directory {
            Syscall.removeTree(name, relativeTo: folder)
        } else {
            try? Syscall.unlink(name, in: folder)
        }
    }
}
