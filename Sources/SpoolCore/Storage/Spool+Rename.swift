import SpoolSystem
import SystemPackage

extension Spool {
    /// Renames `name` in `directory` to `newName` in `newDirectory` as `rule` says, with the `renameat2`
    /// flags the filesystem has (``MoveRule``).
    ///
    /// - Throws: `EEXIST` when `rule` refuses to replace and the target exists; `ENOENT` when the source is
    ///   gone (another process moved it first).
    func rename(
        _ name: String,
        in directory: FileDescriptor,
        to newName: String,
        in newDirectory: FileDescriptor,
        rule: MoveRule
    ) throws(Errno) {
        if rule == .replacing {
            return try Syscall.rename(name, in: directory, to: newName, in: newDirectory)
        }
        if renameFlags.contains(.exclusive) {
            do {
                return try Syscall.rename(name, in: directory, to: newName, in: newDirectory, flags: .exclusive)
            } catch .invalidArgument, .noFunction {
                // Part of the spool on another filesystem than its probe saw: moved as on one without.
            }
        }
        switch rule {
        case .replacing, .ownName:
            // One rename: of several processes moving the file, one wins; a folder does not replace a
            // folder that holds files.
            try Syscall.rename(name, in: directory, to: newName, in: newDirectory)
        case .exclusive:
            do {
                try Syscall.moveByLink(name, in: directory, to: newName, in: newDirectory)
            } catch .notPermitted, .permissionDenied, .notSupported {
                // No hard link here (a folder, a file of another user under `fs.protected_hardlinks`): a
                // check, then a rename, which a creator of the same name in between could overtake.
                if (try? Syscall.status(newName, in: newDirectory)) != nil { throw .fileExists }
                try Syscall.rename(name, in: directory, to: newName, in: newDirectory)
            }
        }
    }
}
