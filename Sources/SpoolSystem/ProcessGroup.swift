#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A process group: a command started as the leader of a new group, with every process it started that
/// did not leave the group. A signal sent to the group reaches them all, grandchildren included.
public struct ProcessGroup: Sendable, Hashable {
    /// The group's id: the pid of the process started to lead it.
    public let id: Int32

    /// The group led by the process `leader`.
    ///
    /// - Precondition: `leader` is greater than 1: group 0 is the caller's own group, and `kill(-1, …)`
    ///   reaches every process the caller may signal.
    public init(leader: Int32) {
        precondition(leader > 1, "not a process group of its own: \(leader)")
        id = leader
    }

    /// Whether no process is left in the group. A process that has exited but not yet been reaped still
    /// counts. The corresponding C function is `kill` with a negative pid and signal 0.
    public var isEmpty: Bool { !send(0) }

    /// Sends `SIGTERM` to every process in the group.
    ///
    /// The corresponding C function is `kill` with a negative pid.
    /// - Returns: Whether the group had a process left to receive it.
    @discardableResult
    public func terminate() -> Bool { send(SIGTERM) }

    /// Sends `SIGKILL` to every process in the group.
    ///
    /// The corresponding C function is `kill` with a negative pid.
    /// - Returns: Whether the group had a process left to receive it.
    @discardableResult
    public func kill() -> Bool { send(SIGKILL) }

    private func send(_ signal: CInt) -> Bool {
        // EPERM: a member exists but may not be signalled (it changed its user id); it is still there.
        system_killGroup(id, signal) == 0 || errno == EPERM
    }
}

/// `kill(-group, signal)`, outside ``ProcessGroup`` whose own `kill()` would hide the C function.
private func system_killGroup(_ group: pid_t, _ signal: CInt) -> CInt {
    kill(-group, signal)
}
