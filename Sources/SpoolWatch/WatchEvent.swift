/// Something a watcher saw in a watched folder of a spool.
public enum WatchEvent: Sendable, Hashable {
    /// `name` appeared in `folder` (a path relative to the spool root): moved in, a file whose writer closed
    /// it, or a new folder.
    case arrived(folder: String, name: String, isDirectory: Bool)
    /// `name`, not a folder, was created in `folder`: a hard or symbolic link, a FIFO, a socket, a device,
    /// or a new file that its writer may still be writing (an ``arrived(folder:name:isDirectory:)`` follows
    /// when it closes it).
    case created(folder: String, name: String)
    /// The file `name` was deleted from `folder`.
    case removed(folder: String, name: String)
    /// Events may have been lost (queue overflow, a failed watch, or a poll tick): rescan everything.
    case rescan
}

/// A source of ``WatchEvent``s for one spool: inotify, or polling on network filesystems.
public protocol SpoolWatcher: Sendable {
    /// The events, until the watcher is closed.
    var events: AsyncStream<WatchEvent> { get }

    /// Starts watching `folder` (relative to the spool root) for arrivals; returns once the watch is in place,
    /// `false` if it could not be placed (the folder is gone, or the watch limit is reached).
    func watch(_ folder: String) async -> Bool

    /// Stops the watcher and finishes ``events``.
    func close()

    /// Whether events were dropped since the last call because the reader fell behind: the reader must
    /// then rescan, as for ``WatchEvent/rescan``.
    func takeOverflow() -> Bool
}

extension SpoolWatcher {
    /// A watcher whose events are never dropped.
    public func takeOverflow() -> Bool { false }
}
