#if canImport(Glibc)
import Glibc
#endif

/// What the process does when it writes to a pipe whose reader is gone.
public enum BrokenPipe {
    /// Makes such a write fail with `EPIPE` instead of killing the process with SIGPIPE (a handler that
    /// exits without reading its standard input must not take the daemon down).
    public static func failWritesInsteadOfSignalling() {
        signal(SIGPIPE, SIG_IGN)
    }
}
