import SpoolSystem
import Synchronization
import SystemPackage

/// An open directory, closed when the last user lets go of it, so that dropping it from the cache never
/// closes a descriptor another thread is using.
final class DirectoryHandle: Sendable {
    let descriptor: FileDescriptor

    init(_ descriptor: FileDescriptor) {
        self.descriptor = descriptor
    }

    deinit {
        descriptor.closeQuietly()
    }
}

/// Open descriptors of the spool's folders, keyed by path relative to the root, created on demand.
///
/// A folder removed by another process (a drained minute folder, say) leaves a stale handle: renames into
/// it fail with `ENOENT` (`ESTALE` on a network filesystem, when another host removed it), and the caller
/// drops it with ``invalidate(_:)`` and asks again.
final class DirectoryCache: Sendable {
    private let root: FileDescriptor
    private let syncsNewFolders: Bool
    private let readOnly: Bool
    private let handles = Mutex<[String: DirectoryHandle]>([:])
    private static let capacity = 512

    init(root: FileDescriptor, syncsNewFolders: Bool, readOnly: Bool = false) {
        self.root = root
        self.syncsNewFolders = syncsNewFolders
        self.readOnly = readOnly
    }

    /// The open folder at `path`; with `create` (ignored when the spool is open to read only), missing
    /// folders on the way are made.
    ///
    /// With `create` on a durable spool, the first time this process opens the folder, every folder on its
    /// way is flushed into its parent: whoever made them, even another process that has not flushed them
    /// yet, the folder's name then survives a power loss, as a task placed in it must.
    func handle(_ path: String, create: Bool) throws(SpoolError) -> DirectoryHandle {
        if let handle = handles.withLock({ $0[path] }) { return handle }
        let create = create && !readOnly
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.openDirectory(path, in: root)
        } catch .noSuchFileOrDirectory where create {
            try makeFolders(path)
            do {
                descriptor = try FileDescriptor.openDirectory(path, in: root)
            } catch {
                throw SpoolError(error, "open folder", path)
            }
        } catch {
            throw SpoolError(error, "open folder", path)
        }
        if create && syncsNewFolders {
            do {
                try flushAncestors(of: path)
            } catch {
                descriptor.closeQuietly()
                throw error
            }
        }
        let handle = DirectoryHandle(descriptor)
        handles.withLock {
            if $0.count >= DirectoryCache.capacity { $0.removeAll() }
            $0[path] = handle
        }
        return handle
    }

    /// Forgets the handle of `path`, for example after the folder was removed.
    func invalidate(_ path: String) {
        _ = handles.withLock { $0.removeValue(forKey: path) }
    }

    /// Makes every missing folder of `path`, from the root down.
    private func makeFolders(_ path: String) throws(SpoolError) {
        var current = ""
        for component in path.split(separator: "/") {
            current = current.isEmpty ? String(component) : current + "/" + component
            do {
                try Syscall.makeDirectory(current, in: root)
            } catch .fileExists {
                continue
            } catch {
                throw SpoolError(error, "create folder", current)
            }
        }
    }

    /// Flushes each folder above `path` up to the spool's base folder (`scheduled/q/day` for
    /// `scheduled/q/day/minute`, then `scheduled/q`, then `scheduled`); the base folders are flushed into
    /// the root when a spool is created. A folder with nothing left to write costs little to flush.
    private func flushAncestors(of path: String) throws(SpoolError) {
        var ancestor = Substring(path)
        while let slash = ancestor.lastIndex(of: "/") {
            ancestor = ancestor[..<slash]
            let folder = try handle(String(ancestor), create: false)
            do {
                try folder.descriptor.synchronize()
            } catch {
                throw SpoolError(error, "flush folder", String(ancestor))
            }
        }
    }
}
