import SpoolSystem
import SystemPackage

extension Spool {
    /// The environment variable that, set to `off`, makes a spool move as on a filesystem without
    /// `renameat2` flags, whatever its filesystem has (to test those moves on a local filesystem).
    public static let renameFlagsVariable = "SPOOL_RENAME_FLAGS"

    /// The `renameat2` flags of the filesystem at `root`, probed in its `tmp/`; both for a spool open to
    /// read only, which moves nothing.
    static func probeRenameFlags(root: FileDescriptor, writes: Bool, worker: WorkerName) -> RenameFlags {
        if Environment.value(renameFlagsVariable) == "off" { return [] }
        guard writes else { return [.exclusive, .swap] }
        try? Syscall.makeDirectory(SpoolLayout.tmp, in: root)
        guard let tmp = try? FileDescriptor.openDirectory(SpoolLayout.tmp, in: root) else {
            return [.exclusive, .swap]
        }
        defer { tmp.closeQuietly() }
        return RenameFlags.probe(in: tmp, scratch: stagingName(.probe, worker: worker))
    }

    /// Whether renames here can refuse to replace (`RENAME_NOREPLACE`) and exchange (`RENAME_EXCHANGE`).
    public var renameFlagsDescription: String {
        switch (renameFlags.contains(.exclusive), renameFlags.contains(.swap)) {
        case (true, true): "noreplace,exchange"
        case (true, false): "noreplace"
        case (false, true): "exchange"
        case (false, false): "none"
        }
    }
}
