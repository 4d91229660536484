/// Watches a spool's folders with inotify, through the process's single libinotifytools thread.
///
/// Arrivals are reported within milliseconds, with no polling. A queue overflow is reported as
/// ``WatchEvent/rescan``.
public final class InotifyWatcher: SpoolWatcher {
    public let events: AsyncStream<WatchEvent>
    private let root: String
    private let subscriber: Int

    /// Creates a watcher for the spool at `root`; `nil` if inotify is not available.
    public init?(root: String) {
        guard InotifyHub.shared.available else { return nil }
        let (stream, continuation) = AsyncStream<WatchEvent>.makeStream(bufferingPolicy: .bufferingNewest(1 << 16))
        events = stream
        self.root = root
        subscriber = InotifyHub.shared.subscribe(continuation)
    }

    public func watch(_ folder: String) async -> Bool {
        await InotifyHub.shared.watch(
            "\(root)/\(folder)",
            for: InotifyHub.Target(subscriber: subscriber, folder: folder)
        )
    }

    public func close() {
        InotifyHub.shared.unsubscribe(subscriber)
    }
}
