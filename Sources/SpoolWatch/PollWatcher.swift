public import SpoolCore

/// Reports a ``WatchEvent/rescan`` every `interval`, for filesystems where inotify sees nothing of other
/// hosts (NFS, CephFS). Arrivals are then seen within one interval.
public final class PollWatcher: SpoolWatcher {
    public let events: AsyncStream<WatchEvent>
    private let continuation: AsyncStream<WatchEvent>.Continuation

    /// Creates a watcher; ``run(clock:interval:)`` produces its ticks.
    public init() {
        (events, continuation) = AsyncStream<WatchEvent>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Yields a rescan every `interval` seconds until cancelled.
    public func run(clock: any WallClock, interval: Double) async {
        while !Task.isCancelled {
            continuation.yield(.rescan)
            try? await clock.sleep(until: clock.now.adding(seconds: interval))
        }
    }

    public func watch(_ folder: String) async -> Bool { true }

    public func close() {
        continuation.finish()
    }
}
