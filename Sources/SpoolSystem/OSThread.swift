import CSpoolLinux
public import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A plain operating-system thread, for the one loop that must block in a C library call.
public enum OSThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts a detached thread running `body`.
    ///
    /// The corresponding C function is `pthread_create`.
    public static func start(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread,
            nil,
            { argument in
                let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
                box.body()
                return nil
            },
            box
        )
        precondition(result == 0, "pthread_create failed: \(result)")
        pthread_detach(thread)
    }

    /// Blocks the calling thread for `milliseconds`, resuming after a signal.
    ///
    /// The corresponding C function is `nanosleep`.
    public static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

/// A private in-memory file whose only use is to be touched: a watcher blocked in inotify wakes on the
/// `IN_ATTRIB` event it produces.
public struct WakeFile: Sendable {
    /// The file's descriptor.
    public let descriptor: FileDescriptor

    /// A path through `/proc/self/fd` that inotify can watch.
    public var path: String { "/proc/self/fd/\(descriptor.rawValue)" }

    /// Creates the file. The corresponding C function is `memfd_create`.
    public init() throws(Errno) {
        let raw = CSpoolLinux_memfd_create("spool-wake", CSpoolLinux_MFD_CLOEXEC)
        guard raw >= 0 else { throw Errno.current }
        descriptor = FileDescriptor(rawValue: raw)
    }

    /// Touches the file, producing an `IN_ATTRIB` event for whoever watches it.
    public func touch() {
        try? descriptor.setModificationTime(FileTime.now())
    }
}
