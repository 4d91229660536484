package import CoreMetrics
import Synchronization

/// How a task entered the spool, as ``MetricName/tasksEnqueued`` counts it.
package enum EnqueueSource: String, Sendable {
    /// Through the library: an app, the HTTP API, `spoolctl enqueue`.
    case library
    /// A tick of a cron entry.
    case cron
    /// A file dropped into `incoming/`.
    case drop
    /// The finish of a task before it in a workflow (a chain's next step, a group's callback), or a new group.
    case workflow
}

/// How a task finished, as ``MetricName/tasksFinished`` counts it.
package enum FinishOutcome: String, Sendable {
    /// It succeeded: it is in `done/`.
    case succeeded
    /// An attempt failed and no other may follow (attempts or schedule spent, a permanent failure, the
    /// deadline before the next try): it is in `dead/`.
    case dead
    /// Its deadline passed before it could run: it is in `dead/`.
    case expired
    /// It was cancelled: it is in `dead/`.
    case cancelled
}

/// The counters and histograms of what this process does to tasks, made with one metrics factory.
///
/// Each event is counted once, by the process that made it happen, after the move that makes it true: a
/// move that fails is not counted. Recording touches no file: metrics of a queue are made on its first event
/// and kept, so that an event costs a lock and a lookup.
package final class TaskMetrics: Sendable {
    /// The factory the metrics are made with; the engine and its watcher make theirs with it too.
    package let factory: any MetricsFactory
    private let counters = Mutex<[Series: Counter]>([:])
    private let timers = Mutex<[Series: CoreMetrics.Timer]>([:])

    /// A metric's name and the values of its labels, in a fixed order per name.
    private struct Series: Hashable {
        var name: String
        var values: [String]
    }

    package init(factory: any MetricsFactory) {
        self.factory = factory
        // The counters without a queue start at zero, so that a rate over them is defined from the start.
        _ = counter(MetricName.dropsRejected, [])
        for reason in ["expired", "worker_gone"] { _ = counter(MetricName.leasesReturned, [("reason", reason)]) }
        for outcome in ["discarded", "resumed"] { _ = counter(MetricName.stagingRecovered, [("outcome", outcome)]) }
    }

    /// A task of `queue` was placed in the spool.
    func enqueued(_ queue: String, source: EnqueueSource) {
        counter(MetricName.tasksEnqueued, [("queue", queue), ("source", source.rawValue)]).increment()
    }

    /// A task of `queue` finished.
    func finished(_ queue: String, as outcome: FinishOutcome) {
        counter(MetricName.tasksFinished, [("queue", queue), ("outcome", outcome.rawValue)]).increment()
    }

    /// An attempt of a task of `queue` failed, and the task waits for its next try.
    func attemptFailed(_ queue: String) {
        counter(MetricName.attemptsFailed, [("queue", queue)]).increment()
    }

    /// A task of `queue` was retried by hand.
    func retried(_ queue: String) {
        counter(MetricName.tasksRetried, [("queue", queue)]).increment()
    }

    /// A drop went to `rejected/`.
    func dropRejected() {
        counter(MetricName.dropsRejected, []).increment()
    }

    /// `task` was claimed at `now`: how late, after its due time.
    func claimed(_ task: ClaimedTask, at now: Timestamp) {
        timer(MetricName.taskLateness, queue: task.record.queue)
            .recordMilliseconds(max(now.milliseconds - task.fileName.due.milliseconds, 0))
    }

    /// The outcome of the attempt of `task` was recorded at `now`: how long since its claim. An attempt
    /// returned by the janitor has no claim time here, and is not timed.
    func attemptEnded(_ task: ClaimedTask, at now: Timestamp) {
        guard let claimedAt = task.claimedAt else { return }
        timer(MetricName.attemptDuration, queue: task.record.queue)
            .recordMilliseconds(max(now.milliseconds - claimedAt.milliseconds, 0))
    }

    /// What a janitor pass recovered: leases returned, and staging files discarded or ingested again.
    func janitorRecovered(_ report: JanitorReport) {
        let counts = [
            (MetricName.leasesReturned, ("reason", "expired"), report.expiredLeases),
            (MetricName.leasesReturned, ("reason", "worker_gone"), report.orphanedLeases),
            (MetricName.stagingRecovered, ("outcome", "discarded"), report.discardedWrites),
            (MetricName.stagingRecovered, ("outcome", "resumed"), report.resumedDrops),
        ]
        for (name, label, count) in counts where count > 0 { counter(name, [label]).increment(by: count) }
    }

    private func counter(_ name: String, _ dimensions: [(String, String)]) -> Counter {
        let series = Series(name: name, values: dimensions.map(\.1))
        return counters.withLock { counters in
            if let counter = counters[series] { return counter }
            let counter = Counter(label: name, dimensions: dimensions, factory: factory)
            counters[series] = counter
            return counter
        }
    }

    private func timer(_ name: String, queue: String) -> CoreMetrics.Timer {
        let series = Series(name: name, values: [queue])
        return timers.withLock { timers in
            if let timer = timers[series] { return timer }
            let timer = CoreMetrics.Timer(label: name, dimensions: [("queue", queue)], factory: factory)
            timers[series] = timer
            return timer
        }
    }
}
