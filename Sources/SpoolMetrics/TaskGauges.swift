import Prometheus
import SpoolCore
import Synchronization

/// The gauges of what a spool holds (`spool_tasks{queue,state}`, `spool_incoming`, `spool_rejected`), set from
/// ``SpoolCore/Spool/stats()``, which walks the whole spool: at most once per refresh interval, and by one
/// caller at a time; the others meanwhile get the last count.
final class TaskGauges: Sendable {
    private struct State {
        var spool: Spool?
        /// No count before this time; `nil` counts at the next scrape.
        var nextRefresh: Timestamp?
        /// A caller is counting.
        var refreshing = false
        /// Every queue counted so far: one that is gone from the spool is shown with no tasks.
        var queues: Set<String> = []
    }

    private let registry: PrometheusCollectorRegistry
    private let refreshInterval: Double
    private let state = Mutex(State())

    init(registry: PrometheusCollectorRegistry, refreshInterval: Double) {
        self.registry = registry
        self.refreshInterval = refreshInterval
    }

    func observe(_ spool: Spool) {
        state.withLock { state in
            state.spool = spool
            state.nextRefresh = nil
        }
    }

    /// Counts the spool's tasks and sets the gauges, unless the interval since the last count has not passed
    /// or another caller is counting.
    func refreshIfDue() {
        let spool = state.withLock { state -> Spool? in
            guard let spool = state.spool, !state.refreshing else { return nil }
            if let next = state.nextRefresh, spool.clock.now < next { return nil }
            state.refreshing = true
            return spool
        }
        guard let spool else { return }
        let stats = spool.stats()
        let gone = state.withLock { state in
            defer { state.queues.formUnion(stats.queues.map(\.queue)) }
            return state.queues.subtracting(stats.queues.map(\.queue))
        }
        for counts in stats.queues {
            for taskState in TaskState.allCases { tasks(counts.queue, taskState).set(to: Double(counts[taskState])) }
        }
        for queue in gone {
            for taskState in TaskState.allCases { tasks(queue, taskState).set(to: 0) }
        }
        registry.makeGauge(descriptor: TaskGauges.incoming, labels: []).set(to: Double(stats.incoming))
        registry.makeGauge(descriptor: TaskGauges.rejected, labels: []).set(to: Double(stats.rejected))
        // The interval runs from the end of the count, so that a walk longer than it is not followed by another.
        state.withLock { state in
            state.refreshing = false
            state.nextRefresh = spool.clock.now.adding(seconds: refreshInterval)
        }
    }

    private func tasks(_ queue: String, _ taskState: TaskState) -> Gauge {
        registry.makeGauge(descriptor: TaskGauges.tasks, labels: [("queue", queue), ("state", taskState.rawValue)])
    }

    private static var tasks: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "spool",
            metricName: "tasks",
            unitName: "",
            helpText: "Tasks in the spool by queue and state, counted at most once per refresh interval."
        )
    }

    private static var incoming: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "spool",
            metricName: "incoming",
            unitName: "",
            helpText: "Drops waiting in incoming/."
        )
    }

    private static var rejected: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "spool",
            metricName: "rejected",
            unitName: "",
            helpText: "Files in rejected/, not counting their .reason files."
        )
    }
}
