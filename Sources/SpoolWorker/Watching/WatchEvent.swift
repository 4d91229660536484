/// Something a watcher saw in a watched folder of a spool.
public enum WatchEvent: Sendable, Hashable {
    /// `name` appeared in `folder` (a path relative to the spool root), by rename or by creation.
    case arrived(folder: String, name: String, isDirectory: Bool)
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
}
