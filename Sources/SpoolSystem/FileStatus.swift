#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A point in time as the filesystem stores it, in milliseconds since the Unix epoch.
public struct FileTime: Sendable, Hashable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// Creates a time from milliseconds since the Unix epoch.
    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    init(_ spec: timespec) {
        milliseconds = Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    var timespec: timespec {
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (sec, ms) = seconds.remainder < 0 ? (seconds.quotient - 1, seconds.remainder + 1000) : seconds
        return Glibc.timespec(tv_sec: Int(sec), tv_nsec: Int(ms) * 1_000_000)
    }

    /// The current wall-clock time. The corresponding C function is `clock_gettime(CLOCK_REALTIME)`.
    public static func now() -> FileTime {
        var spec = Glibc.timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return FileTime(spec)
    }

    public static func < (lhs: FileTime, rhs: FileTime) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }
}

/// The kind of a file, as `stat` or a directory entry reports it.
public enum FileKind: Sendable, Hashable {
    case regular, directory, symlink, fifo, socket, characterDevice, blockDevice, unknown

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        default: self = .unknown
        }
    }
}

/// What `stat` says of a file.
public struct FileStatus: Sendable, Hashable {
    /// The kind of file.
    public var kind: FileKind
    /// Size in bytes.
    public var size: Int64
    /// Last modification; for a claimed task, its lease expiry.
    public var modificationTime: FileTime
    /// Last status change; a rename sets it.
    public var changeTime: FileTime
    /// Inode number.
    public var inode: UInt64
    /// Device number.
    public var device: UInt64
    /// Number of hard links.
    public var linkCount: UInt64
    /// 512-byte blocks allocated.
    public var blocks: Int64

    init(_ raw: stat) {
        kind = FileKind(mode: raw.st_mode)
        size = Int64(raw.st_size)
        modificationTime = FileTime(raw.st_mtim)
        changeTime = FileTime(raw.st_ctim)
        inode = UInt64(raw.st_ino)
        device = UInt64(raw.st_dev)
        linkCount = UInt64(raw.st_nlink)
        blocks = Int64(raw.st_blocks)
    }
}
