import CSpoolLinux
import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#else
#error("Spool runs on Linux only")
#endif

// Layer 1: one function per system call, each with the debug-only fault hook.
// Layer 2 (the Swifty wrappers) lives in the `Syscall` extensions.

@inline(__always)
private func injectedFault(_ call: String) -> CInt? {
    #if ENABLE_MOCKING
    guard let faults = SyscallFaults.current, let action = faults.take(call) else { return nil }
    switch action {
    case .fail(let code):
        errno = code.rawValue
        return -1
    case .crash:
        kill(getpid(), SIGKILL)
        while true { pause() }
    case .skip:
        return 0
    case .stop:
        kill(getpid(), SIGSTOP)
        return nil
    }
    #else
    return nil
    #endif
}

func system_openat(_ dirfd: CInt, _ path: UnsafePointer<CChar>, _ flags: CInt, _ mode: mode_t) -> CInt {
    if let fault = injectedFault("openat") { return fault }
    return openat(dirfd, path, flags, mode)
}

func system_close(_ fd: CInt) -> CInt {
    close(fd)
}

func system_read(_ fd: CInt, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    if let fault = injectedFault("read") { return Int(fault) }
    return read(fd, buffer, count)
}

func system_pwrite(_ fd: CInt, _ buffer: UnsafeRawPointer?, _ count: Int, _ offset: off_t) -> Int {
    if let fault = injectedFault("write") { return Int(fault) }
    return pwrite(fd, buffer, count, offset)
}

func system_write(_ fd: CInt, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    if let fault = injectedFault("write") { return Int(fault) }
    return write(fd, buffer, count)
}

func system_fsync(_ fd: CInt) -> CInt {
    if let fault = injectedFault("fsync") { return fault }
    recordFlush("fsync", fd)
    return fsync(fd)
}

func system_fdatasync(_ fd: CInt) -> CInt {
    if let fault = injectedFault("fdatasync") { return fault }
    recordFlush("fdatasync", fd)
    return fdatasync(fd)
}

/// Keeps the path of a flushed descriptor for a test that records flushes (debug builds only).
@inline(__always)
private func recordFlush(_ call: String, _ fd: CInt) {
    #if ENABLE_MOCKING
    guard let faults = SyscallFaults.current, faults.recordsFlushes else { return }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
    let path = count > 0 ? String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    faults.recordFlush(call, path: path)
    #endif
}

func system_syncfs(_ fd: CInt) -> CInt {
    if let fault = injectedFault("syncfs") { return fault }
    return CSpoolLinux_syncfs(fd)
}

func system_renameat2(
    _ olddirfd: CInt,
    _ oldpath: UnsafePointer<CChar>,
    _ newdirfd: CInt,
    _ newpath: UnsafePointer<CChar>,
    _ flags: CUnsignedInt
) -> CInt {
    if let fault = injectedFault("renameat2") { return fault }
    return CSpoolLinux_renameat2(olddirfd, oldpath, newdirfd, newpath, flags)
}

func system_unlinkat(_ dirfd: CInt, _ path: UnsafePointer<CChar>, _ flags: CInt) -> CInt {
    if let fault = injectedFault("unlinkat") { return fault }
    return unlinkat(dirfd, path, flags)
}

func system_flock(_ fd: CInt, _ operation: CInt) -> CInt {
    if let fault = injectedFault("flock") { return fault }
    return flock(fd, operation)
}

func system_linkat(
    _ olddirfd: CInt,
    _ oldpath: UnsafePointer<CChar>,
    _ newdirfd: CInt,
    _ newpath: UnsafePointer<CChar>
) -> CInt {
    if let fault = injectedFault("linkat") { return fault }
    return linkat(olddirfd, oldpath, newdirfd, newpath, 0)
}

func system_mkdirat(_ dirfd: CInt, _ path: UnsafePointer<CChar>, _ mode: mode_t) -> CInt {
    if let fault = injectedFault("mkdirat") { return fault }
    return mkdirat(dirfd, path, mode)
}

func system_symlinkat(_ target: UnsafePointer<CChar>, _ dirfd: CInt, _ path: UnsafePointer<CChar>) -> CInt {
    if let fault = injectedFault("symlinkat") { return fault }
    return symlinkat(target, dirfd, path)
}

func system_readlinkat(_ dirfd: CInt, _ path: UnsafePointer<CChar>, _ buffer: UnsafeMutablePointer<CChar>, _ size: Int)
    -> Int
{
    if let fault = injectedFault("readlinkat") { return Int(fault) }
    return readlinkat(dirfd, path, buffer, size)
}

func system_utimensat(_ dirfd: CInt, _ path: UnsafePointer<CChar>, _ times: UnsafePointer<timespec>, _ flags: CInt)
    -> CInt
{
    if let fault = injectedFault("utimensat") { return fault }
    return utimensat(dirfd, path, times, flags)
}

func system_futimens(_ fd: CInt, _ times: UnsafePointer<timespec>) -> CInt {
    if let fault = injectedFault("futimens") { return fault }
    return futimens(fd, times)
}

func system_fstatat(_ dirfd: CInt, _ path: UnsafePointer<CChar>, _ buffer: UnsafeMutablePointer<stat>, _ flags: CInt)
    -> CInt
{
    if let fault = injectedFault("fstatat") { return fault }
    return fstatat(dirfd, path, buffer, flags)
}

func system_fstat(_ fd: CInt, _ buffer: UnsafeMutablePointer<stat>) -> CInt {
    if let fault = injectedFault("fstat") { return fault }
    return fstat(fd, buffer)
}
