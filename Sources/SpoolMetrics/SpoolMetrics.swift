public import CoreMetrics
public import Prometheus
public import SpoolCore

/// The Prometheus metrics of a process serving a spool: what the process does to tasks, counted as it
/// happens, and how many tasks the spool holds by queue and state, counted from the spool itself.
///
/// Open the spool with ``factory`` (`Spool(root:…, metricsFactory: metrics.factory)`), or bootstrap
/// `MetricsSystem` with it before opening the spool, so that the spool, its engine and its watcher count into
/// ``registry``. Then ``observe(_:)`` the spool, and serve ``exposition()`` as `GET /metrics` with
/// ``contentType``. docs/OPERATIONS.md lists every metric.
///
/// ```swift
/// let metrics = SpoolMetrics()
/// let spool = try Spool(root: "/var/lib/spool", metricsFactory: metrics.factory)
/// metrics.observe(spool)
/// let body = metrics.exposition()
/// ```
public final class SpoolMetrics: Sendable {
    /// The media type of ``exposition()``: the Prometheus text format, version 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The registry holding every metric. Other code may register metrics of its own in it.
    public let registry: PrometheusCollectorRegistry
    /// Makes swift-metrics counters, timers and recorders in ``registry``: timers become histograms in
    /// seconds, with buckets from 5 ms to an hour for the spool's own.
    public let factory: any MetricsFactory
    private let gauges: TaskGauges

    /// Creates metrics with an empty registry.
    ///
    /// - Parameter refreshInterval: The seconds that at least pass, on the observed spool's clock, between
    ///   two counts of its tasks: a count lists every folder of the spool, so a scrape within the interval
    ///   shows the last count instead.
    public init(refreshInterval: Double = 5) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let buckets = SpoolMetrics.bucketMilliseconds.map { Duration.milliseconds($0) }
        for name in [MetricName.attemptDuration, MetricName.taskLateness] {
            factory.durationHistogramBuckets[name] = buckets
        }
        self.registry = registry
        self.factory = factory
        gauges = TaskGauges(registry: registry, refreshInterval: refreshInterval)
    }

    /// The bucket bounds of the spool's histograms, in milliseconds: from a claim on an idle queue or a quick
    /// handler to a backlog or a long export.
    static let bucketMilliseconds: [Int64] = [
        5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300_000, 900_000, 3_600_000,
    ]

    /// Reports the tasks of `spool` from now on: `spool_tasks{queue,state}`, `spool_incoming` and
    /// `spool_rejected`, counted by ``SpoolCore/Spool/stats()`` at most once per refresh interval. A second
    /// call replaces the spool.
    public func observe(_ spool: Spool) {
        gauges.observe(spool)
    }

    /// Every metric in the Prometheus text format, the observed spool's tasks counted again first if the
    /// refresh interval has passed since the last count.
    public func exposition() -> [UInt8] {
        gauges.refreshIfDue()
        return registry.emitToBuffer()
    }
}
