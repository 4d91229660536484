/// The names of the metrics Spool emits through swift-metrics, in Prometheus style. They are a contract that
/// dashboards and alerts are written against: docs/OPERATIONS.md lists each with its labels and meaning.
package enum MetricName {
    /// Counter, labels `queue` and `source` (``EnqueueSource``): tasks accepted into the spool.
    package static let tasksEnqueued = "spool_tasks_enqueued_total"
    /// Counter, labels `queue` and `outcome` (``FinishOutcome``): tasks that reached `done/` or `dead/`.
    package static let tasksFinished = "spool_tasks_finished_total"
    /// Counter, label `queue`: attempts that failed and whose task waits for its next try.
    package static let attemptsFailed = "spool_attempts_failed_total"
    /// Counter, label `queue`: tasks retried by hand (a dead task put back, a scheduled one made due now).
    package static let tasksRetried = "spool_tasks_retried_total"
    /// Counter, no labels: drops moved to `rejected/`.
    package static let dropsRejected = "spool_drops_rejected_total"
    /// Histogram in seconds, label `queue`: from the claim of an attempt to the record of its outcome.
    package static let attemptDuration = "spool_attempt_duration_seconds"
    /// Histogram in seconds, label `queue`: how long after its due time a task was claimed.
    package static let taskLateness = "spool_task_lateness_seconds"
    /// Counter, label `reason` (`expired`, `worker_gone`): leases the janitor returned as failed attempts.
    package static let leasesReturned = "spool_janitor_leases_returned_total"
    /// Counter, label `outcome` (`discarded`, `resumed`): staging files of gone processes the janitor settled.
    package static let stagingRecovered = "spool_janitor_staging_recovered_total"
    /// Counter, label `source` (`kernel`, `reader`): times a watcher lost events because a queue was full.
    package static let watcherOverflows = "spool_watcher_overflows_total"
    /// Counter, no labels: times the engine listed every watched folder again because events may be lost.
    package static let watcherRescans = "spool_watcher_rescans_total"
}
