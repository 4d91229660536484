import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

extension Errno {
    /// The errno of the calling thread, read right after a failed call.
    static var current: Errno { Errno(rawValue: errno) }
}

/// Runs `call` until it does not fail with `EINTR`, and returns its value or the errno it set.
@inline(__always)
func valueOrErrno<I: FixedWidthInteger>(retryOnInterrupt: Bool = true, _ call: () -> I) -> Result<I, Errno> {
    while true {
        let value = call()
        if value != -1 { return .success(value) }
        let code = Errno.current
        if retryOnInterrupt && code == .interrupted { continue }
        return .failure(code)
    }
}

/// Runs `call` until it does not fail with `EINTR`, and returns nothing or the errno it set.
@inline(__always)
func nothingOrErrno<I: FixedWidthInteger>(retryOnInterrupt: Bool = true, _ call: () -> I) -> Result<Void, Errno> {
    valueOrErrno(retryOnInterrupt: retryOnInterrupt, call).map { _ in () }
}

extension Result {
    /// The success value, or the failure thrown with its own type.
    @inline(__always)
    package func unwrap() throws(Failure) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }
}
