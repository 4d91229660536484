import CSpoolLinux
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
    /// Streams through `getdents64`, so memory stays constant whatever the directory holds.
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
        defer { descriptor.closeQuietly() }
        try withUnsafeTemporaryAllocation(byteCount: listingBufferSize, alignment: 8) { buffer in
            while true {
                let filled = CSpoolLinux_getdents64(descriptor.rawValue, buffer.baseAddress, UInt(buffer.count))
                if filled == 0 { return }
                if filled < 0 {
                    if errno == EINTR { continue }
                    throw Errno.current
                }
                // Each record: d_ino (8 bytes), d_off (8), d_reclen (2), d_type (1), then the name and a NUL.
                var offset = 0
                while offset < filled {
                    let record = buffer.baseAddress! + offset
                    let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                    let start = (record + 19).assumingMemoryBound(to: UInt8.self)
                    let name = UnsafeBufferPointer(
                        start: start,
                        count: strnlen((record + 19).assumingMemoryBound(to: CChar.self), length - 19)
                    )
                    offset += length
                    let dot = UInt8(ascii: ".")
                    if name.first == dot, name.count == 1 || (name.count == 2 && name[1] == dot) { continue }
                    if try !body(name, FileKind(directoryEntryType: record.load(fromByteOffset: 18, as: UInt8.self))) {
                        return
                    }
                }
            }
        }
    }

    /// The bytes read per `getdents64` call: enough for about a thousand short names.
    private static let listingBufferSize = 32_768

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

extension FileKind {
    /// The kind a directory entry's `d_type` gives.
    init(directoryEntryType type: UInt8) {
        switch Int32(type) {
        case Int32(DT_REG): self = .regular
        case Int32(DT_DIR): self = .directory
        case Int32(DT_LNK): self = .symlink
        case Int32(DT_FIFO): self = .fifo
        case Int32(DT_SOCK): self = .socket
        case Int32(DT_CHR): self = .characterDevice
        case Int32(DT_BLK): self = .blockDevice
        default: self = .unknown
        }
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
