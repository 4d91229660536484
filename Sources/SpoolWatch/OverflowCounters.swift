import CoreMetrics
import SpoolCore

/// The counters of a watcher's overflows (``MetricName/watcherOverflows``), one per queue that can fill up
/// and lose events.
struct OverflowCounters: Sendable {
    private let kernel: Counter
    private let reader: Counter

    /// The counters, made with `factory`.
    init(factory: any MetricsFactory) {
        kernel = Counter(label: MetricName.watcherOverflows, dimensions: [("source", "kernel")], factory: factory)
        reader = Counter(label: MetricName.watcherOverflows, dimensions: [("source", "reader")], factory: factory)
    }

    /// The kernel's inotify queue overflowed (`fs.inotify.max_queued_events`): the watcher lost events.
    func kernelQueueOverflowed() {
        kernel.increment()
    }

    /// The watcher's own buffer filled because its reader fell behind: it lost events.
    func readerFellBehind() {
        reader.increment()
    }
}
