public import CoreMetrics
public import Logging
import SpoolSystem
import Synchronization
import SystemPackage
public import Tracing

/// A spool: a directory holding every task as one JSON file, and the operations that move tasks between
/// its folders by `rename(2)` and rewrite-by-rename only.
///
/// Several `Spool` values, in one process or many, may work on the same directory at once.
public final class Spool: Sendable {
    /// The spool's root directory, as given.
    public let root: String
    /// Settings for this process's work on the spool.
    public var configuration: SpoolConfiguration { settings.withLock { $0 } }
    /// The clock due times, leases and deadlines are read from.
    public let clock: any WallClock
    /// The name under which this process claims tasks and stages files.
    public let worker: WorkerName
    /// Whether this process may create the spool and change it.
    public let access: SpoolAccess
    /// Where transitions are logged.
    public let logger: Logger
    /// What this process does to tasks, counted; the engine and its watcher count with the same factory.
    package let metrics: TaskMetrics
    /// The spans of what this process does to tasks.
    package let tracing: TaskTracing

    private let settings: Mutex<SpoolConfiguration>
    let rootDescriptor: FileDescriptor
    let folders: DirectoryCache
    /// Held, shared, by every rename; taken exclusively by a snapshot.
    let gate: SnapshotGate
    /// The `renameat2` flags the spool's filesystem has, probed at opening (see ``MoveRule`` for what a
    /// move does without them).
    let renameFlags: RenameFlags
    let ids: ULIDGenerator
    /// The hour of the janitor's last look for unique keys that no task holds.
    let lastUniqueKeySweep = Atomic<Int64>(-1)
    /// The minute of the janitor's last count of dead tasks against their limit.
    let lastDeadTrim = Atomic<Int64>(-1)
    /// Manifests of groups read lately, which never change once written (see ``groupManifest(_:)``).
    let groupManifests = GroupManifestCache()
    /// Workflow steps this process began and could not finish (a full disk, say), in the order met: its own
    /// janitor finishes them (see ``finishStrandedWork()``).
    let strandedWork = Mutex<[StrandedWork]>([])
    /// Numbers staging names; one counter per process, since several `Spool` values of one process share
    /// its worker name.
    private static let stagingSequence = Atomic<UInt64>(0)

    /// Opens the spool at `root`: by default creating it and its folders if missing (see ``SpoolAccess``).
    ///
    /// What this process does to tasks (enqueues, finishes, retries, claims and their lateness, attempts and
    /// their duration, janitor recoveries) is counted with the metrics made by `metricsFactory`: by default
    /// the factory that `MetricsSystem` was bootstrapped with when the spool is opened, which records
    /// nothing unless the program bootstrapped one.
    ///
    /// Each task's way through the spool (its enqueue, its wait, each attempt and its outcome) is traced with
    /// `tracer`: by default the tracer that `InstrumentationSystem` was bootstrapped with when the spool is
    /// opened, which makes no span unless the program bootstrapped one.
    ///
    /// Under a durability level that flushes enqueues, folders created here are flushed into their parents,
    /// so that they survive a power loss with the first task placed in them.
    ///
    /// - Throws: ``SpoolError`` if `root` cannot be opened or created, or with
    ///   ``SpoolError/Code/notASpool`` if `access` does not create and `root` is not a spool.
    public init(
        root: String,
        configuration: SpoolConfiguration = SpoolConfiguration(),
        clock: any WallClock = SystemClock(),
        worker: WorkerName = .current,
        logger: Logger = Logger(label: "spool", factory: { _ in SwiftLogNoOpLogHandler() }),
        access: SpoolAccess = .create,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        tracer: any Tracer = InstrumentationSystem.tracer
    ) throws(SpoolError) {
        self.root = root
        self.settings = Mutex(configuration)
        self.clock = clock
        self.worker = worker
        self.logger = logger
        self.access = access
        self.metrics = TaskMetrics(factory: metricsFactory)
        self.tracing = TaskTracing(tracer: tracer)
        self.ids = .shared
        let flushes = configuration.durability.syncsEnqueue
        if access.creates {
            try Spool.makeRoot(root, flushing: flushes)
        }
        do {
            rootDescriptor = try FileDescriptor.openDirectory(root)
        } catch .noSuchFileOrDirectory where !access.creates {
            throw SpoolError(.notASpool, "not a spool: \(root) does not exist")
        } catch .notDirectory where !access.creates {
            throw SpoolError(.notASpool, "not a spool: \(root) is not a directory")
        } catch {
            throw SpoolError(error, "open spool", root)
        }
        folders = DirectoryCache(root: rootDescriptor, syncsNewFolders: flushes, readOnly: !access.writes)
        gate = SnapshotGate(root: rootDescriptor)
        let opened = rootDescriptor
        let empty = (try? Syscall.entries(in: ".", relativeTo: opened).isEmpty) == true
        if access.creates || (access.writes && empty) {
            try Spool.makeBaseFolders(in: opened, root: root, flushing: flushes)
        } else {
            let missing = [SpoolLayout.active, SpoolLayout.scheduled].filter {
                (try? Syscall.status($0, in: opened))?.kind != .directory
            }
            if !missing.isEmpty {
                throw SpoolError(.notASpool, "not a spool: \(root) has no \(missing.joined(separator: "/ or "))/")
            }
        }
        // Once the folder is known to be a spool: the probe works in its tmp/.
        renameFlags = Spool.probeRenameFlags(root: opened, writes: access.writes, worker: worker)
        try settleFormat(fresh: empty)
    }

    /// Creates the root folder if missing, and flushes its parent when it did.
    private static func makeRoot(_ root: String, flushing: Bool) throws(SpoolError) {
        do {
            try Syscall.makeDirectory(root, in: .currentWorkingDirectory)
        } catch .fileExists {
            return
        } catch {
            throw SpoolError(error, "create spool", root)
        }
        guard flushing else { return }
        let parent = root.contains("/") ? String(root[..<root.lastIndex(of: "/")!]) : "."
        do {
            let descriptor = try FileDescriptor.openDirectory(parent.isEmpty ? "/" : parent)
            defer { descriptor.closeQuietly() }
            try descriptor.synchronize()
        } catch {
            throw SpoolError(error, "flush folder", parent.isEmpty ? "/" : parent)
        }
    }

    /// Creates the base folders that are missing, and flushes the root once when it created any. A
    /// read-only filesystem (a mounted backup, say) is left as it is: writes into a missing folder report
    /// their own error.
    func makeBaseFolders(flushing: Bool) throws(SpoolError) {
        try Spool.makeBaseFolders(in: rootDescriptor, root: root, flushing: flushing)
    }

    /// ``makeBaseFolders(flushing:)`` in the spool folder open as `rootDescriptor`, before a spool is open.
    private static func makeBaseFolders(in rootDescriptor: FileDescriptor, root: String, flushing: Bool)
        throws(SpoolError)
    {
        var created = false
        for folder in SpoolLayout.baseFolders {
            do {
                try Syscall.makeDirectory(folder, in: rootDescriptor)
                created = true
            } catch {
                continue
            }
        }
        guard created, flushing else { return }
        do {
            try rootDescriptor.synchronize()
        } catch {
            throw SpoolError(error, "flush folder", root)
        }
    }

    deinit {
        rootDescriptor.closeQuietly()
    }

    /// Replaces the settings while the spool is open (on a configuration reload); the durability chosen
    /// at opening is kept.
    public func reconfigure(_ configuration: SpoolConfiguration) {
        settings.withLock { current in
            var updated = configuration
            updated.durability = current.durability
            current = updated
        }
    }

    /// Throws ``SpoolError/Code/readOnly`` unless the spool was opened to be changed.
    func requireWrites(_ operation: String) throws(SpoolError) {
        guard access.writes else { throw SpoolError(.readOnly, "\(operation): \(root) is open to read only") }
    }

    /// A name for a new staging file in `tmp/`: `<kind>.<worker>.<sequence>`, unique within the spool, with
    /// `.<suffix>` when given, cut so that the whole name fits the 255 bytes of a file name (the longest host
    /// name and the longest drop name together would not).
    func stagingName(_ kind: StagingKind, suffix: String? = nil) -> String {
        Spool.stagingName(kind, worker: worker, suffix: suffix)
    }

    /// ``stagingName(_:suffix:)`` for `worker`, before a spool is open.
    static func stagingName(_ kind: StagingKind, worker: WorkerName, suffix: String? = nil) -> String {
        let sequence = Spool.stagingSequence.add(1, ordering: .relaxed).newValue
        let base = "\(kind.rawValue).\(worker).\(sequence)"
        guard let suffix else { return base }
        return "\(base).\(suffix.truncated(toBytes: Spool.maximumNameBytes - base.utf8.count - 1))"
    }

    /// The longest file name, in bytes, on the filesystems Spool runs on.
    static let maximumNameBytes = 255
}

/// What a file in `tmp/` is, from the first part of its name; recovery treats each kind differently.
enum StagingKind: String {
    /// A new version of a task, not yet renamed into place: garbage if its writer is gone.
    case write = "w"
    /// A drop claimed from `incoming/` and being ingested: returned to `incoming/` if its writer is gone.
    case ingest = "in"
    /// The next task of a finishing task's workflow (`.<state>` ends the name: the state its predecessor
    /// finishes in): placed if its predecessor reached that state, else removed, when its writer is gone.
    case successor = "next"
    /// A group member's result marker, written before the member's finishing move: placed in its group's
    /// folder if the member finished, else removed, when its writer is gone.
    case groupResult = "gr"
    /// A folder holding a new group (its manifest, callback and members) until it is complete: removed with
    /// the reservations made for it when its writer is gone.
    case group = "g"
    /// A task file set aside by a rewrite on a filesystem without `RENAME_EXCHANGE` (`.<place>` ends the
    /// name, see ``RewritePlace``): put back if its new content was not placed, else removed, when its
    /// writer is gone.
    case setAside = "o"
    /// A scratch file of the probe of the filesystem's rename flags: removed when its writer is gone.
    case probe = "p"
}
