/// How a process opens a spool: whether it may create the spool, and whether it may change it.
public struct SpoolAccess: Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case create, existing, readOnly
    }

    private let kind: Kind

    /// Creates the spool and its folders when missing, then reads and writes it: what a daemon or a
    /// producer that owns its spool does.
    public static let create = SpoolAccess(kind: .create)
    /// Opens a spool that exists already (a directory holding `active/` and `scheduled/`), to read and
    /// write it; an empty directory is made a spool, but a missing path or another directory is refused.
    public static let existing = SpoolAccess(kind: .existing)
    /// Opens a spool that exists already to read it only: nothing is created, changed or removed, so a
    /// live spool, a stopped one or a backup copy can be inspected as it is.
    public static let readOnly = SpoolAccess(kind: .readOnly)

    /// Whether the spool may be changed.
    public var writes: Bool { kind != .readOnly }
    /// Whether a missing spool is created.
    public var creates: Bool { kind == .create }

    public var description: String {
        switch kind {
        case .create: "create"
        case .existing: "existing"
        case .readOnly: "read-only"
        }
    }
}
