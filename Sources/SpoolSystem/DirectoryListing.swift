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
    /// what can be removed is. Entries are removed by the raw bytes of their names, which need not be UTF-8.
    public static func removeTree(_ path: String, relativeTo directory: FileDescriptor = .currentWorkingDirectory) {
        if let folder = try? FileDescriptor.openDirectory(path, in: directory) {
            removeContents(of: folder)
            folder.closeQuietly()
        }
        try? unlink(path, in: directory, isDirectory: true)
    }

    /// Removes every entry of the open directory `folder`: a file or link by `unlinkat`, a directory (which
    /// that refuses) emptied through a descriptor opened without following links, then removed.
    private static func removeContents(of folder: FileDescriptor) {
        var names: [[UInt8]] = []
        try? forEachEntryName(in: ".", relativeTo: folder) { name, _ in
            names.append(Array(name) + [0])
            return true
        }
        for name in names {
            name.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { raw in
                    let entry = raw.baseAddress!
                    guard system_unlinkat(folder.rawValue, entry, 0) != 0, errno == EISDIR else { return }
                    let child = system_openat(
                        folder.rawValue,
                        entry,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
                        0
                    )
                    guard child >= 0 else { return }
                    removeContents(of: FileDescriptor(rawValue: child))
                    _ = system_close(child)
                    _ = system_unlinkat(folder.rawValue, entry, AT_REMOVEDIR)
                }
            }
        }
    }
}
