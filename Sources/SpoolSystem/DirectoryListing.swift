public import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// One name in a directory, as `readdir` reports it.
public struct DirectoryEntry: Sendable, Hashable {
    /// The entry's name, never `.` or `..`.
    public var name: String
    /// The kind, from `d_type`; ``FileKind/unknown`` on filesystems that do not fill it in.
    public var kind: FileKind
}

extension Syscall {
    /// Calls `body` with each entry of the directory `path`, in the order the filesystem returns them.
    ///
    /// Streams through `getdents64` (via `readdir`), so memory stays constant whatever the directory holds.
    /// `body` returns `false` to stop early.
    public static func forEachEntry(
        in path: String,
        relativeTo directory: FileDescriptor = .currentWorkingDirectory,
        _ body: (DirectoryEntry) throws -> Bool
    ) throws {
        try forEachEntryName(in: path, relativeTo: directory) { name, kind in
            try body(DirectoryEntry(name: String(decoding: name, as: UTF8.self), kind: kind))
        }
    }

    /// Streams the entries of the directory `path` as the raw bytes of their names (valid only during the
    /// call of `body`), so that a caller skipping most names makes no string for them. `body` returns
    /// `false` to stop early.
    public static func forEachEntryName(
        in path: String,
        relativeTo directory: FileDescriptor = .currentWorkingDirectory,
        _ body: (UnsafeBufferPointer<UInt8>, FileKind) throws -> Bool
    ) throws {
        let descriptor = try FileDescriptor.openDirectory(path, in: directory)
        guard let stream = fdopendir(descriptor.rawValue) else {
            let code = Errno.current
            descriptor.closeQuietly()
            throw code
        }
        defer { closedir(stream) }
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw Errno.current }
                return
            }
            let kind: FileKind
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): kind = .regular
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symlink
            case Int32(DT_FIFO): kind = .fifo
            case Int32(DT_SOCK): kind = .socket
            case Int32(DT_CHR): kind = .characterDevice
            case Int32(DT_BLK): kind = .blockDevice
            default: kind = .unknown
            }
            let proceed = try withUnsafePointer(to: &entry.pointee.d_name) { field in
                try field.withMemoryRebound(to: UInt8.self, capacity: 256) { start in
                    let name = UnsafeBufferPointer(
                        start: start,
                        count: strlen(UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self))
                    )
                    let dot = UInt8(ascii: ".")
                    if name.first == dot, name.count == 1 || (name.count == 2 && name[1] == dot) { return true }
                    return try body(name, kind)
                }
            }
            if !proceed { return }
        }
    }

    /// The entries of the directory `path`; for small directories only (the whole list is kept in memory).
    public static func entries(
        in path: String,
        relativeTo directory: FileDescriptor = .currentWorkingDirectory
    ) throws -> [DirectoryEntry] {
        var result: [DirectoryEntry] = []
        try forEachEntry(in: path, relativeTo: directory) {
            result.append($0)
            return true
        }
        return result
    }
}

extension Syscall {
    /// Removes `path` and everything below it, never following symbolic links; errors are ignored, so that
    /// what can be removed is.
    public static func removeTree(_ path: String, relativeTo directory: FileDescriptor = .currentWorkingDirectory) {
        for entry in (try? entries(in: path, relativeTo: directory)) ?? [] {
            let child = "\(path)/\(entry.name)"
            if entry.kind == .directory {
                removeTree(child, relativeTo: directory)
            } else {
                try? unlink(child, in: directory)
            }
        }
        try? unlink(path, in: directory, isDirectory: true)
    }
}
