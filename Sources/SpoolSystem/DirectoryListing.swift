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
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
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
            if try !body(DirectoryEntry(name: name, kind: kind)) { return }
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
