public import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

extension FileDescriptor {
    /// The pseudo-descriptor that makes a relative path resolve against the current working directory.
    public static var currentWorkingDirectory: FileDescriptor { FileDescriptor(rawValue: AT_FDCWD) }

    /// Opens `path`, resolved against `directory`, never following a final symbolic link and never
    /// leaking into child processes.
    ///
    /// `O_NOFOLLOW` and `O_CLOEXEC` are always added to `options`. The corresponding C function is `openat`.
    ///
    /// - Throws: The `Errno` of the failed call; `EINTR` is retried.
    public static func open(
        _ path: String,
        in directory: FileDescriptor = .currentWorkingDirectory,
        _ mode: AccessMode,
        options: OpenOptions = [],
        permissions: FilePermissions? = nil
    ) throws(Errno) -> FileDescriptor {
        let flags = mode.rawValue | options.rawValue | O_NOFOLLOW | O_CLOEXEC
        let raw = valueOrErrno {
            path.withCString { system_openat(directory.rawValue, $0, flags, permissions?.rawValue ?? 0) }
        }
        return FileDescriptor(rawValue: try raw.unwrap())
    }

    /// Opens the directory at `path`, resolved against `directory`, for listing, syncing and as the base of
    /// relative calls.
    public static func openDirectory(
        _ path: String,
        in directory: FileDescriptor = .currentWorkingDirectory
    ) throws(Errno) -> FileDescriptor {
        try open(path, in: directory, .readOnly, options: [.directory])
    }

    /// Closes the descriptor, ignoring errors: for descriptors only read from, or on paths already failing.
    ///
    /// `close` is never retried: on Linux the descriptor is released even when it reports `EINTR`.
    public func closeQuietly() {
        _ = system_close(rawValue)
    }

    /// Runs `body` with the descriptor and closes it afterwards, whatever `body` does.
    public func closeAfter<R, E: Error>(_ body: (FileDescriptor) throws(E) -> R) throws(E) -> R {
        defer { closeQuietly() }
        return try body(self)
    }
}
