import CSpoolLinux

/// Flags for ``Syscall/rename(_:in:to:in:flags:)``.
public struct RenameFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Fail with `EEXIST` rather than replace an existing target (`RENAME_NOREPLACE`).
    public static let exclusive = RenameFlags(rawValue: CSpoolLinux_RENAME_NOREPLACE)

    /// Atomically swap source and target, which must both exist (`RENAME_EXCHANGE`).
    public static let swap = RenameFlags(rawValue: CSpoolLinux_RENAME_EXCHANGE)
}
