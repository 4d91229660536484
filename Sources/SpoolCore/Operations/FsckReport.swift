/// A kind of problem that ``Spool/fsck(_:progress:finding:)`` looks for.
public enum FsckProblem: String, Sendable, Hashable, CaseIterable {
    /// A running task whose worker is gone, or whose lease expired: returned as a failed attempt.
    case staleLease = "stale_lease"
    /// A file in `tmp/` of a writer that is gone: a half-done write rolled back, or an interrupted
    /// ingest finished.
    case leftoverStaging = "leftover_staging"
    /// A task file in the wrong folder for its name: moved where its name says.
    case misplaced
    /// A second copy of a task: the most advanced copy is kept, the others go to `rejected/`.
    case duplicate
    /// A file where a task belongs that is not a valid task: moved to `rejected/` with the reason.
    case unreadable
    /// An id or unique-key reservation that no task holds: removed. For an id, the task it reserved is not
    /// in the spool (lost in a copy, or purged there after the reservation was copied).
    case orphanedReservation = "orphaned_reservation"
    /// A key or deadline index entry naming a task that is not in the spool: removed.
    case orphanedIndexEntry = "orphaned_index_entry"
    /// A name that has no meaning in a spool where Spool expects its own: reported, left alone.
    case unknownEntry = "unknown_entry"
}

/// One problem ``Spool/fsck(_:progress:finding:)`` found, and what it did about it.
public struct FsckFinding: Sendable, Hashable {
    /// What kind of problem.
    public var problem: FsckProblem
    /// The file or folder, relative to the spool root.
    public var path: String
    /// The task concerned, when known.
    public var id: String?
    /// What is wrong, in one line.
    public var detail: String
    /// What was done (or, in a dry run, would be done), in a few words; `nil` when nothing is to be done.
    public var action: String?
    /// Whether the repair was made. Always `false` in a dry run and for problems left alone.
    public var repaired: Bool
}

/// How ``Spool/fsck(_:progress:finding:)`` runs.
public struct FsckOptions: Sendable {
    /// Only report: change nothing (the spool may be opened to read only).
    public var dryRun: Bool
    /// The spool is a copy that no process serves (a restored backup): every lease and every staging file
    /// belongs to a process that is gone, whatever its host, and is recovered now rather than when it
    /// expires.
    public var restored: Bool

    /// Options; by default repairs, on a spool that may be served.
    public init(dryRun: Bool = false, restored: Bool = false) {
        self.dryRun = dryRun
        self.restored = restored
    }
}

/// What a whole ``Spool/fsck(_:progress:finding:)`` run found.
public struct FsckReport: Sendable, Hashable {
    /// Task files read and checked.
    public var tasksChecked = 0
    /// Problems found, by kind.
    public var found: [FsckProblem: Int] = [:]
    /// Problems repaired.
    public var repaired = 0
    /// Drops waiting in `incoming/`, ingested when a daemon next runs.
    public var incoming = 0

    /// Problems found in all.
    public var problems: Int { found.values.reduce(0, +) }
    /// Problems found that are not repaired (all of them in a dry run).
    public var unrepaired: Int { problems - repaired }

    /// An empty report.
    public init() {}
}
