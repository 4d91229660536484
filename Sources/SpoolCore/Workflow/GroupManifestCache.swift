import Synchronization

/// The manifests of the groups a process read lately, by group id and the manifest file's inode (a group
/// deleted and made again under its id has another). A manifest is written once, so an entry stays true;
/// the cache only spares a group's completing members from parsing the list of its members each time.
final class GroupManifestCache: Sendable {
    private let entries = Mutex<[String: (inode: UInt64, manifest: GroupManifest)]>([:])
    /// Entries kept; the cache is emptied when it is full.
    private static let capacity = 64

    /// The manifest cached for group `id` whose file has `inode`.
    func manifest(_ id: String, inode: UInt64) -> GroupManifest? {
        entries.withLock { entries in
            guard let entry = entries[id], entry.inode == inode else { return nil }
            return entry.manifest
        }
    }

    /// Caches `manifest`, read from the file with `inode`.
    func insert(_ manifest: GroupManifest, inode: UInt64) {
        entries.withLock { entries in
            if entries.count >= GroupManifestCache.capacity { entries.removeAll(keepingCapacity: true) }
            entries[manifest.id] = (inode, manifest)
        }
    }
}
