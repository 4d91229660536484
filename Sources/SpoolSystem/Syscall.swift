public import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Thin wrappers of the path-based system calls Spool uses, each resolving names against a directory
/// descriptor, never following a final symbolic link, and retrying `EINTR`.
public enum Syscall {
    /// Renames `name` in `directory` to `newName` in `newDirectory`, atomically.
    ///
    /// The corresponding C function is `renameat2`. A filesystem without the `flags` (GlusterFS, NFS,
    /// CephFS, older kernels) answers `EINVAL` (or `ENOSYS`) and changes nothing: ``RenameFlags/probe(in:scratch:)``
    /// tells beforehand, and ``moveByLink(_:in:to:in:)`` moves without replacing on such a filesystem.
    public static func rename(
        _ name: String,
        in directory: FileDescriptor,
        to newName: String,
        in newDirectory: FileDescriptor,
        flags: RenameFlags = []
    ) throws(Errno) {
        try name.withCString { old in
            newName.withCString { new in
                nothingOrErrno { system_renameat2(directory.rawValue, old, newDirectory.rawValue, new, flags.rawValue) }
            }
        }.unwrap()
    }

    /// Renames the entry whose name is the raw bytes `name` (which need not be valid UTF-8, as a name read
    /// from a directory may not be) to `newName` in the same directory.
    ///
    /// The corresponding C function is `renameat2`.
    public static func rename(
        rawName name: [UInt8],
        in directory: FileDescriptor,
        to newName: String,
        flags: RenameFlags = []
    ) throws(Errno) {
        try (name + [0]).withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { old in
                newName.withCString { new in
                    nothingOrErrno {
                        system_renameat2(directory.rawValue, old.baseAddress!, directory.rawValue, new, flags.rawValue)
                    }
                }
            }
        }.unwrap()
    }

    /// Moves the file `name` to `newName` in `newDirectory`, never replacing an existing file, by giving it
    /// the new name (`linkat`, which fails with `EEXIST` if the name exists, atomically on every POSIX
    /// filesystem, as Maildir relies on) and then removing the old one (`unlinkat`): the move for
    /// filesystems without `RENAME_NOREPLACE`.
    ///
    /// Of several processes moving the same file, the one that removes the old name has moved it; one whose
    /// removal finds the old name gone takes its new name back and fails with `ENOENT`, as a losing rename
    /// would. A process that dies between the two calls leaves the file under both names.
    ///
    /// - Throws: `EEXIST` if `newName` exists, `ENOENT` if `name` is gone or another process moved it first,
    ///   `EPERM` where the filesystem or its settings (`fs.protected_hardlinks` for a file of another
    ///   user) refuse a hard link; nothing is changed then.
    public static func moveByLink(
        _ name: String,
        in directory: FileDescriptor,
        to newName: String,
        in newDirectory: FileDescriptor
    ) throws(Errno) {
        try link(name, in: directory, to: newName, in: newDirectory)
        do {
            try unlink(name, in: directory)
        } catch .noSuchFileOrDirectory {
            try? unlink(newName, in: newDirectory)
            throw .noSuchFileOrDirectory
        }
    }

    /// Removes the file (or, with `directory: true`, the empty directory) `name`.
    ///
    /// The corresponding C function is `unlinkat`.
    public static func unlink(_ name: String, in directory: FileDescriptor, isDirectory: Bool = false) throws(Errno) {
        try name.withCString { path in
            nothingOrErrno { system_unlinkat(directory.rawValue, path, isDirectory ? AT_REMOVEDIR : 0) }
        }.unwrap()
    }

    /// Creates the directory `name`.
    ///
    /// The corresponding C function is `mkdirat`.
    public static func makeDirectory(
        _ name: String,
        in directory: FileDescriptor,
        permissions: FilePermissions = [.ownerReadWriteExecute, .groupReadExecute, .otherReadExecute]
    ) throws(Errno) {
        try name.withCString { path in
            nothingOrErrno { system_mkdirat(directory.rawValue, path, permissions.rawValue) }
        }.unwrap()
    }

    /// Creates the symbolic link `name` holding `target`; fails with `EEXIST` if `name` exists.
    ///
    /// Spool uses symbolic links as atomic reservations whose text it reads back, never follows.
    /// The corresponding C function is `symlinkat`.
    public static func makeSymbolicLink(_ name: String, in directory: FileDescriptor, target: String) throws(Errno) {
        try target.withCString { text in
            name.withCString { path in nothingOrErrno { system_symlinkat(text, directory.rawValue, path) } }
        }.unwrap()
    }

    /// Gives the file `name` in `directory` a second name, `newName` in `newDirectory`; fails with `EEXIST` if
    /// that exists, `EXDEV` across filesystems.
    ///
    /// The corresponding C function is `linkat`, not following a symbolic link.
    public static func link(
        _ name: String,
        in directory: FileDescriptor,
        to newName: String,
        in newDirectory: FileDescriptor
    ) throws(Errno) {
        try name.withCString { old in
            newName.withCString { new in
                nothingOrErrno { system_linkat(directory.rawValue, old, newDirectory.rawValue, new) }
            }
        }.unwrap()
    }

    /// Reads the text of the symbolic link `name`.
    ///
    /// The corresponding C function is `readlinkat`.
    public static func readSymbolicLink(_ name: String, in directory: FileDescriptor) throws(Errno) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = try name.withCString { path in
            valueOrErrno { system_readlinkat(directory.rawValue, path, &buffer, buffer.count) }
        }.unwrap()
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sets the modification (and access) time of `name`, without following a symbolic link.
    ///
    /// The corresponding C function is `utimensat`.
    public static func setModificationTime(_ name: String, in directory: FileDescriptor, to time: FileTime)
        throws(Errno)
    {
        var times = [time.timespec, time.timespec]
        try name.withCString { path in
            nothingOrErrno { system_utimensat(directory.rawValue, path, &times, AT_SYMLINK_NOFOLLOW) }
        }.unwrap()
    }

    /// The status of `name`, without following a symbolic link.
    ///
    /// The corresponding C function is `fstatat` with `AT_SYMLINK_NOFOLLOW`.
    public static func status(_ name: String, in directory: FileDescriptor) throws(Errno) -> FileStatus {
        var buffer = Glibc.stat()
        try name.withCString { path in
            nothingOrErrno { system_fstatat(directory.rawValue, path, &buffer, AT_SYMLINK_NOFOLLOW) }
        }.unwrap()
        return FileStatus(buffer)
    }
}
