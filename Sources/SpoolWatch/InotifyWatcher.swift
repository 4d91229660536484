public import CoreMetrics
import SpoolCore

/// Watches a spool's folders with inotify, through the process's single libinotifytools thread.
///
/// Arrivals are reported within milliseconds, with no polling. A queue overflow is reported as
/// ``WatchEvent/rescan``.
public final class InotifyWatcher: SpoolWatcher {
    public let events: AsyncStream<WatchEvent>
    private let root: String
    private let subscriber: Int
    private let everyArrival: Bool

    /// Creates a watcher for the spool at `root`; `nil` if inotify is not available.
    ///
    /// - Parameters:
    ///   - capacity: The events kept for a reader that falls behind; past it, new events are dropped and
    ///     ``takeOverflow()`` says so, as the kernel's queue overflow does.
    ///   - everyArrival: Report tasks moved into workers' `running/` folders too (by default only the
    ///     entries made there in place, the cancel markers, which is all a worker needs).
    ///   - metricsFactory: Makes the counters of the times this watcher lost events, the kernel's queue or
    ///     its own buffer being full (`spool_watcher_overflows_total`); `nil` counts nothing. The engine
    ///     gives its spool's factory, so that a process counts the overflows of the watcher it runs on.
    public init?(
        root: String,
        capacity: Int = 1 << 16,
        everyArrival: Bool = false,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        guard InotifyHub.shared.available else { return nil }
        let (stream, continuation) = AsyncStream<WatchEvent>.makeStream(bufferingPolicy: .bufferingOldest(capacity))
        events = stream
        self.root = root
        self.everyArrival = everyArrival
        subscriber = InotifyHub.shared.subscribe(continuation, overflows: metricsFactory.map(OverflowCounters.init))
    }

    /// Watches `folder`; in a worker's `running/` folder only for entries made in place (cancel markers),
    /// unless every arrival was asked for.
    public func watch(_ folder: String) async -> Bool {
        await InotifyHub.shared.watch(
            "\(root)/\(folder)",
            mask: folder.hasPrefix(SpoolLayout.running + "/") && !everyArrival
                ? InotifyHub.markerMask : InotifyHub.mask,
            for: InotifyHub.Target(subscriber: subscriber, folder: folder)
        )
    }

    public func close() {
        InotifyHub.shared.unsubscribe(subscriber)
    }

    public func takeOverflow() -> Bool {
        InotifyHub.shared.takeOverflow(subscriber)
    }
}
