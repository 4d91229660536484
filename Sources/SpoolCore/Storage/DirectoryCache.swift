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
/// it fail with `ENOENT`, and the caller drops it with ``invalidate(_:)`` and asks again.
final class DirectoryCache: Sendable {
    private let root: FileDescriptor
    private let syncsNewFolders: Bool
    private let handles = Mutex<[String: DirectoryHandle]>([:])
    private static let capacity = 512

    init(root: FileDescriptor, syncsNewFolders: Bool) {
        self.root = root
        self.syncsNewFolders = syncsNewFolders
    }

    /// The open folder at `path`; with `create`, missing folders on the way are made (and, for a durable
    /// spool, their parents flushed so the new names survive a power loss).
    func handle(_ path: String, create: Bool) throws(SpoolError) -> DirectoryHandle {
        if let handle = handles.withLock({ $0[path] }) { return handle }
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
        let components = path.split(separator: "/")
        var current = ""
        for component in components {
            let parent = current
            current = current.isEmpty ? String(component) : current + "/" + component
            do {
                try Syscall.makeDirectory(current, in: root)
                if syncsNewFolders {
                    let parentDescriptor = try FileDescriptor.openDirectory(parent.isEmpty ? "." : parent, in: root)
                    defer { parentDescriptor.closeQuietly() }
                    try parentDescriptor.synchronize()
                }
            } catch .fileExists {
                continue
            } catch {
                throw SpoolError(error, "create folder", current)
            }
        }
    }
}
