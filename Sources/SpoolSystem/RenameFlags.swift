import CSpoolLinux
public import SystemPackage

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

    /// The flags that the filesystem holding `directory` supports, found by trying each on two scratch files
    /// `scratch` and `scratch` + `.2` that this call creates and removes.
    ///
    /// Local filesystems (ext4, xfs, btrfs, tmpfs) have both; network and FUSE filesystems (GlusterFS, NFS,
    /// CephFS) answer `EINVAL` and have neither. A probe that cannot create its files (a full or read-only
    /// filesystem) reports both: a rename that then needs one reports the filesystem's own error.
    public static func probe(in directory: FileDescriptor, scratch: String) -> RenameFlags {
        let second = scratch + ".2"
        defer {
            try? Syscall.unlink(scratch, in: directory)
            try? Syscall.unlink(second, in: directory)
        }
        func create(_ name: String) -> Bool {
            guard
                let file = try? FileDescriptor.open(
                    name,
                    in: directory,
                    .writeOnly,
                    options: [.create, .exclusiveCreate],
                    permissions: [.ownerReadWrite]
                )
            else { return false }
            file.closeQuietly()
            return true
        }
        guard create(scratch) else { return [.exclusive, .swap] }
        var supported: RenameFlags = []
        // Then both names exist, for the exchange.
        do {
            try Syscall.rename(scratch, in: directory, to: second, in: directory, flags: .exclusive)
            supported.insert(.exclusive)
            guard create(scratch) else { return supported.union(.swap) }
        } catch .invalidArgument, .noFunction {
            guard create(second) else { return [.exclusive, .swap] }
        } catch {
            return [.exclusive, .swap]
        }
        do {
            try Syscall.rename(scratch, in: directory, to: second, in: directory, flags: .swap)
            supported.insert(.swap)
        } catch .invalidArgument, .noFunction {
        } catch {
            return supported.union(.swap)
        }
        return supported
    }
}
