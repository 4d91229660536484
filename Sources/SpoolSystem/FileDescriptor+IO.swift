public import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

extension FileDescriptor {
    /// Writes every byte of `bytes`, looping over short writes and retrying `EINTR`.
    ///
    /// The corresponding C function is `write`.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let written = try valueOrErrno {
                system_write(rawValue, bytes.baseAddress! + offset, bytes.count - offset)
            }.unwrap()
            offset += written
        }
    }

    /// Writes every byte of `bytes` at the start of the file, whatever the current offset, which it leaves.
    ///
    /// The corresponding C function is `pwrite`.
    public func writeAtStart(_ bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let written = try bytes.withUnsafeBytes { buffer in
                valueOrErrno {
                    system_pwrite(rawValue, buffer.baseAddress! + offset, bytes.count - offset, off_t(offset))
                }
            }.unwrap()
            offset += written
        }
    }

    /// Writes every byte of `bytes`.
    public func writeAll(_ bytes: [UInt8]) throws(Errno) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(Errno) in try writeAll(buffer) } }.unwrap()
    }

    /// Reads from the current offset to the end of the file, but never more than `limit` bytes.
    ///
    /// - Returns: The bytes read and whether the file holds more than `limit` bytes.
    public func readAll(limit: Int) throws(Errno) -> (bytes: [UInt8], truncated: Bool) {
        var bytes: [UInt8] = []
        // A regular file says its size: read it (and one byte more, to see the end) in one call.
        let expected = (try? status()).map { $0.kind == .regular ? Int(clamping: $0.size) : 0 } ?? 0
        var chunk = expected > 0 ? min(expected, limit) + 1 : 4096
        while true {
            let wanted = min(chunk, limit + 1 - bytes.count)
            if wanted <= 0 { return (Array(bytes.prefix(limit)), true) }
            let start = bytes.count
            bytes += [UInt8](repeating: 0, count: wanted)
            let count = try bytes.withUnsafeMutableBytes { buffer in
                valueOrErrno { system_read(rawValue, buffer.baseAddress! + start, wanted) }
            }.unwrap()
            bytes.removeLast(wanted - count)
            if count == 0 { return (bytes, false) }
            if bytes.count > limit { return (Array(bytes.prefix(limit)), true) }
            // A regular file returns less than asked only at its end: no second call to see it.
            if expected > 0, count < wanted { return (bytes, false) }
            chunk = min(chunk * 2, 1 << 20)
        }
    }

    /// Flushes the file's data and metadata to the device. For a directory this makes its entries
    /// (created, renamed or removed names) durable.
    ///
    /// The corresponding C function is `fsync`.
    public func synchronize() throws(Errno) {
        try nothingOrErrno { system_fsync(rawValue) }.unwrap()
    }

    /// Takes an exclusive advisory lock on the open file, waiting for it; the lock goes when the descriptor
    /// is closed (or the process dies). Processes on one host see each other's locks.
    ///
    /// The corresponding C function is `flock` with `LOCK_EX`.
    public func lockExclusively() throws(Errno) {
        try nothingOrErrno { system_flock(rawValue, LOCK_EX) }.unwrap()
    }

    /// Takes a shared advisory lock on the open file, waiting while another holds it exclusively.
    ///
    /// The corresponding C function is `flock` with `LOCK_SH`.
    public func lockShared() throws(Errno) {
        try nothingOrErrno { system_flock(rawValue, LOCK_SH) }.unwrap()
    }

    /// Takes an exclusive advisory lock on the open file if no one holds a lock on it; `false` if someone does.
    ///
    /// The corresponding C function is `flock` with `LOCK_EX | LOCK_NB`.
    public func tryLockExclusively() throws(Errno) -> Bool {
        let result = system_flock(rawValue, LOCK_EX | LOCK_NB)
        if result == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw Errno(rawValue: errno)
    }

    /// Releases the advisory lock held on the open file.
    ///
    /// The corresponding C function is `flock` with `LOCK_UN`.
    public func unlock() throws(Errno) {
        try nothingOrErrno { system_flock(rawValue, LOCK_UN) }.unwrap()
    }

    /// Flushes the file's data, and only the metadata needed to read it back.
    ///
    /// The corresponding C function is `fdatasync`.
    public func synchronizeData() throws(Errno) {
        try nothingOrErrno { system_fdatasync(rawValue) }.unwrap()
    }

    /// Flushes every file and folder of the filesystem that holds this file: written data, metadata and
    /// directory entries, with one cache flush of the device. Many new files are so made durable at once,
    /// instead of one flush each.
    ///
    /// The corresponding C function is `syncfs`.
    public func synchronizeFileSystem() throws(Errno) {
        try nothingOrErrno { system_syncfs(rawValue) }.unwrap()
    }

    /// Sets the file's modification time (and its access time to the same value).
    ///
    /// The corresponding C function is `futimens`.
    public func setModificationTime(_ time: FileTime) throws(Errno) {
        var times = [time.timespec, time.timespec]
        try nothingOrErrno { system_futimens(rawValue, &times) }.unwrap()
    }

    /// The status of the open file.
    ///
    /// The corresponding C function is `fstat`.
    public func status() throws(Errno) -> FileStatus {
        var buffer = Glibc.stat()
        try nothingOrErrno { system_fstat(rawValue, &buffer) }.unwrap()
        return FileStatus(buffer)
    }
}
