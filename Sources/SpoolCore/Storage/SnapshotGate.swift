import SpoolSystem
import Synchronization
import SystemPackage

/// Keeps renames out of a snapshot's way. Every rename Spool makes in the spool passes the gate, holding
/// a shared `flock` on the spool's root folder while it runs; ``Spool/snapshot(to:timeout:progress:)`` takes
/// that lock exclusively while it copies the spool, so that the copy shows the spool as it stood at one
/// instant, each task under one name. Creations and removals need no gate: a listing sees each of them
/// done or not done, both states a crash could leave; a rename seen half done could lose a task or show
/// it twice.
///
/// The lock belongs to the open root folder, shared by every thread of the `Spool` value: the first
/// rename under way takes it and the last one done releases it.
final class SnapshotGate: Sendable {
    private let root: FileDescriptor
    private let renames = Mutex<Int>(0)

    init(root: FileDescriptor) {
        self.root = root
    }

    /// Runs `body`, a rename, holding the shared lock. Where the filesystem has no locks, it runs anyway.
    func pass<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        renames.withLock { count in
            if count == 0 { try? root.lockShared() }
            count += 1
        }
        defer {
            renames.withLock { count in
                count -= 1
                if count == 0 { try? root.unlock() }
            }
        }
        return try body()
    }
}
