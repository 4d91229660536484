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
    /// The corresponding C function is `renameat2`. Where the kernel or the filesystem refuses `renameat2`
    /// or its flags (`EINVAL`, `ENOSYS`), the call falls back to `renameat`: ``RenameFlags/exclusive`` falls back to a check followed by a plain `renameat`
    /// (a narrow race that a concurrent creator of the same name could win), and ``RenameFlags/swap`` falls
    /// back to replacing an existing target (the old content is then gone rather than left at `name`).
    public static func rename(
        _ name: String,
        in directory: FileDescriptor,
        to newName: String,
        in newDirectory: FileDescriptor,
        flags: RenameFlags = []
    ) throws(Errno) {
        let result = name.withCString { old in
            newName.withCString { new in
                nothingOrErrno { system_renameat2(directory.rawValue, old, newDirectory.rawValue, new, flags.rawValue) }
            }
        }
        switch result {
        case .success:
            return
        case .failure(let code) where code == .invalidArgument || code == .noFunction:
            // The filesystem does not support the flags (older kernels, some network filesystems).
            let targetExists = (try? status(newName, in: newDirectory)) != nil
            if flags.contains(.exclusive) && targetExists { throw .fileExists }
            if flags.contains(.swap) && !targetExists { throw .noSuchFileOrDirectory }
            try plainRename(name, in: directory, to: newName, in: newDirectory)
        case .failure(let code):
            throw code
        }
    }

    /// Renames the entry whose name is the raw bytes `name` (which need not be valid UTF-8, as a name read
    /// from a directory may not be) to `newName` in the same directory, never replacing an existing name.
    ///
    /// The corresponding C function is `renameat2` with `RENAME_NOREPLACE`, falling back as ``rename(_:in:to:in:flags:)`` does.
    public static func rename(rawName name: [UInt8], in directory: FileDescriptor, to newName: String) throws(Errno) {
        let result = (name + [0]).withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { old in
                newName.withCString { new in
                    nothingOrErrno {
                        system_renameat2(
                            directory.rawValue,
                            old.baseAddress!,
                            directory.rawValue,
                            new,
                            RenameFlags.exclusive.rawValue
                        )
                    }
                }
            }
        }
        switch result {
        case .success:
            return
        case .failure(let code) where code == .invalidArgument || code == .noFunction:
            if (try? status(newName, in: directory)) != nil { throw .fileExists }
            try (name + [0]).withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { old in
                    newName.withCString { new in
                        nothingOrErrno {
                            system_renameat(directory.rawValue, old.baseAddress!, directory.rawValue, new)
                        }
                    }
                }
            }.unwrap()
        case .failure(let code):
            throw code
        }
    }

    private static func plainRename(
        _ name: String,
        in directory: FileDescriptor,
        to newName: String,
        in newDirectory: FileDescriptor
    ) throws(Errno) {
        try name.withCString { old in
            newName.withCString { new in
                nothingOrErrno { system_renameat(directory.rawValue, old, newDirectory.rawValue, new) }
            }
        }.unwrap()
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
