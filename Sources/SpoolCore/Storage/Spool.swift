public import Logging
import SpoolSystem
import Synchronization
import SystemPackage

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
    /// Where transitions are logged.
    public let logger: Logger

    private let settings: Mutex<SpoolConfiguration>
    let rootDescriptor: FileDescriptor
    let folders: DirectoryCache
    let ids: ULIDGenerator
    /// Numbers staging names; one counter per process, since several `Spool` values of one process share
    /// its worker name.
    private static let stagingSequence = Atomic<UInt64>(0)

    /// Opens the spool at `root`, creating it and its folders if missing.
    ///
    /// - Throws: ``SpoolError`` if `root` cannot be opened or created.
    public init(
        root: String,
        configuration: SpoolConfiguration = SpoolConfiguration(),
        clock: any WallClock = SystemClock(),
        worker: WorkerName = .current,
        logger: Logger = Logger(label: "spool", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(SpoolError) {
        self.root = root
        self.settings = Mutex(configuration)
        self.clock = clock
        self.worker = worker
        self.logger = logger
        self.ids = .shared
        do {
            try Syscall.makeDirectory(root, in: .currentWorkingDirectory)
        } catch .fileExists {
        } catch {
            throw SpoolError(error, "create spool", root)
        }
        do {
            rootDescriptor = try FileDescriptor.openDirectory(root)
        } catch {
            throw SpoolError(error, "open spool", root)
        }
        folders = DirectoryCache(root: rootDescriptor, syncsNewFolders: configuration.durability.syncsEnqueue)
        // Best effort: a read-only copy (a mounted backup, say) can still be inspected; writes into a
        // missing folder report their own error.
        for folder in SpoolLayout.baseFolders {
            try? Syscall.makeDirectory(folder, in: rootDescriptor)
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

    /// A name for a new staging file in `tmp/`: `<kind>.<worker>.<sequence>`, unique within the spool.
    func stagingName(_ kind: StagingKind, suffix: String? = nil) -> String {
        let sequence = Spool.stagingSequence.add(1, ordering: .relaxed).newValue
        let base = "\(kind.rawValue).\(worker).\(sequence)"
        return suffix.map { "\(base).\($0)" } ?? base
    }
}

/// What a file in `tmp/` is, from the first part of its name; recovery treats each kind differently.
enum StagingKind: String {
    /// A new version of a task, not yet renamed into place: garbage if its writer is gone.
    case write = "w"
    /// A drop claimed from `incoming/` and being ingested: returned to `incoming/` if its writer is gone.
    case ingest = "in"
}
