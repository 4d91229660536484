public import SpoolCore
import SpoolSystem
import SystemPackage
public import Tracing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh spool directory for one test, removed afterwards.
public struct TemporarySpool: Sendable {
    /// The spool's root path.
    public let path: String

    /// Creates an empty directory named after the test under the system's temporary folder.
    public init(_ function: String = #function) {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        let label = function.prefix { $0.isLetter || $0.isNumber }
        var template = Array("\(base)/spool-\(label)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Opens the spool with `configuration` and `clock`.
    public func open(
        configuration: SpoolConfiguration = SpoolConfiguration(),
        clock: any WallClock = SystemClock(),
        worker: WorkerName = .current,
        tracer: any Tracer = NoOpTracer()
    ) throws -> Spool {
        try Spool(root: path, configuration: configuration, clock: clock, worker: worker, tracer: tracer)
    }

    /// Opens the spool as on a filesystem without `renameat2` flags: the probe at opening finds both refused
    /// (`EINVAL`, its two tries), or is skipped when `SPOOL_RENAME_FLAGS=off` is already in the environment.
    public func openWithoutRenameFlags(clock: any WallClock = SystemClock()) throws -> Spool {
        if LocalProcess.environment(Spool.renameFlagsVariable) == "off" { return try open(clock: clock) }
        let refused = SyscallFaults().inject(.fail(.invalidArgument), into: "renameat2", times: 2)
        return try SyscallFaults.withFaults(refused) { try open(clock: clock) }
    }

    /// Removes the directory and everything in it.
    public func remove() {
        SpoolFiles.removeTree(path)
    }

    /// Runs `body` with a fresh spool directory and removes it afterwards.
    public static func with<R>(_ function: String = #function, _ body: (TemporarySpool) throws -> R) rethrows -> R {
        let spool = TemporarySpool(function)
        defer { spool.remove() }
        return try body(spool)
    }

    /// Runs `body` with a fresh spool directory and removes it afterwards.
    public static func with<R>(_ function: String = #function, _ body: (TemporarySpool) async throws -> R)
        async rethrows -> R
    {
        let spool = TemporarySpool(function)
        defer { spool.remove() }
        return try await body(spool)
    }
}
