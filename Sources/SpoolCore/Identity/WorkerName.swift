import SpoolSystem

/// The name of a worker process in `running/<queue>/<worker>/` and in its `tmp/` files:
/// `<host>.<pid>.<start>`, where `start` is the process start time in clock ticks since boot, which tells a
/// reused pid apart.
public struct WorkerName: Sendable, Hashable, CustomStringConvertible {
    /// The host's id (``HostIdentity``), `[A-Za-z0-9-]{1,60}`.
    public var host: String
    /// The process id.
    public var pid: Int32
    /// The process start time, in clock ticks since boot.
    public var startTicks: UInt64

    /// The name of this process.
    public static let current = WorkerName(
        host: HostIdentity.current,
        pid: LocalProcess.id,
        startTicks: LocalProcess.startTicks
    )

    /// Creates a worker name from its parts.
    public init(host: String, pid: Int32, startTicks: UInt64) {
        self.host = host
        self.pid = pid
        self.startTicks = startTicks
    }

    /// Parses a worker folder name; `nil` if it is not of the form `<host>.<pid>.<start>`.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        // The numbers as this type prints them (no leading zeros), so that the name found is the name meant.
        guard parts.count == 3, !parts[0].isEmpty, let pid = Int32(parts[1]), let start = UInt64(parts[2]),
            String(pid) == parts[1], String(start) == parts[2], Names.isValidWorkerName(text)
        else { return nil }
        self.init(host: String(parts[0]), pid: pid, startTicks: start)
    }

    public var description: String { "\(host).\(pid).\(startTicks)" }

    /// Whether this worker is known to be gone: it ran on this host (its host id is this host's) and its
    /// process no longer runs. A worker on another host is never known to be gone; its leases expire instead.
    public var isGoneFromThisHost: Bool {
        host == WorkerName.current.host && !LocalProcess.isRunning(pid: pid, startTicks: startTicks)
    }
}
