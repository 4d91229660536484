import SpoolCore
import SpoolMetrics
import SpoolTestSupport
import SpoolWorker
import Testing

/// A known workload run by a real engine on a real spool is counted exactly: each event once, under its
/// queue, as Prometheus reads the exposition.
@Suite(.timeLimit(.minutes(2))) struct WorkloadMetricsTests {
    static let goneWorker = WorkerName(host: WorkerName.current.host, pid: Int32.max - 11, startTicks: 1)

    @Test func everyEventOfAWorkloadIsCountedOnce() async throws {
        try await TemporarySpool.with { directory in
            // Left by a process that is gone: a task it claimed, a write it staged, a drop it was ingesting.
            let gone = try directory.open(worker: WorkloadMetricsTests.goneWorker)
            try gone.enqueue(NewTask(queue: "jobs", type: "ok", maxAttempts: 1))
            _ = try #require(try gone.claimNext(queue: "jobs"))
            let tmp = "\(directory.path)/tmp"
            try SpoolFiles.write("partial", to: "\(tmp)/w.\(WorkloadMetricsTests.goneWorker).4")
            try SpoolFiles.write(
                #"{"type":"ok","queue":"drops"}"#,
                to: "\(tmp)/in.\(WorkloadMetricsTests.goneWorker).5.resumed.json"
            )

            let metrics = SpoolMetrics()
            let spool = try Spool(
                root: directory.path,
                configuration: SpoolConfiguration(durability: .none),
                metricsFactory: metrics.factory
            )
            metrics.observe(spool)
            let engine = SpoolEngine(spool: spool, handlers: WorkloadMetricsTests.handlers)
            try await whileRunning(engine) {
                for _ in 0..<3 { try spool.enqueue(NewTask(queue: "mail", type: "ok")) }
                for _ in 0..<2 { try spool.enqueue(NewTask(queue: "mail", type: "flaky")) }
                for _ in 0..<2 { try spool.enqueue(NewTask(queue: "jobs", type: "broken", maxAttempts: 2)) }
                let later = try spool.enqueue(NewTask(queue: "jobs", type: "ok", delay: 3600))
                #expect(try spool.cancel(id: later) == .cancelled)
                try spool.retryNow(id: later)
                try spool.enqueue(
                    NewTask(queue: "jobs", type: "ok", delay: 3600, deadline: spool.clock.now.adding(seconds: 0.5))
                )
                try SpoolFiles.write(#"{"type":"ok","queue":"drops"}"#, to: "\(directory.path)/incoming/good.json")
                try SpoolFiles.write("{oops", to: "\(directory.path)/incoming/bad.json")
                #expect(
                    await eventually { WorkloadMetricsTests.settled(spool.stats()) },
                    "every task finished: \(spool.stats())"
                )
            }

            let exposition = try Exposition(metrics.exposition())
            let differences = exposition.differences(from: WorkloadMetricsTests.expected, prefix: "spool_")
            #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
            for name in ["spool_task_lateness_seconds", "spool_attempt_duration_seconds"] {
                for (queue, count) in [("mail", 7.0), ("jobs", 5), ("drops", 2)] {
                    #expect(exposition["\(name)_bucket", ["queue": queue, "le": "+Inf"]] == count)
                    #expect((exposition["\(name)_sum", ["queue": queue]] ?? -1) >= 0)
                }
            }
            let types = [
                "spool_tasks_enqueued_total": "counter", "spool_task_lateness_seconds_count": "histogram",
                "spool_tasks": "gauge", "spool_rejected": "gauge",
            ]
            for (name, type) in types {
                let key = exposition.types.keys.first { $0.hasPrefix(name + "{") }
                #expect(key.flatMap { exposition.types[$0] } == type, "\(name) is a \(type)")
            }
        }
    }

    /// `ok` succeeds; `flaky` fails its first attempt; `broken` fails every attempt.
    static var handlers: TaskHandlers {
        var handlers = TaskHandlers()
        handlers.register("ok") { _ in nil }
        handlers.register("flaky") { context in
            if context.attempt < 2 { throw HandlerFailure.retry("not yet", after: 0.05) }
            return nil
        }
        handlers.register("broken") { _ in throw HandlerFailure.retry("broken", after: 0.05) }
        return handlers
    }

    /// Whether every task of the workload has finished where it should.
    static func settled(_ stats: SpoolStats) -> Bool {
        let finished = stats.queues.map { ($0.queue, $0[.done], $0[.dead]) }
        let waiting = stats.queues.map { $0[.scheduled] + $0[.active] + $0[.running] }.reduce(0, +)
        return waiting == 0 && stats.incoming == 0 && stats.rejected == 1
            && finished.elementsEqual([("drops", 2, 0), ("jobs", 1, 4), ("mail", 5, 0)]) { $0 == $1 }
    }

    /// What the workload counts: mail has 3 tasks that succeed and 2 that succeed on their second attempt;
    /// jobs has 2 that fail both their attempts, one cancelled then retried by hand (it succeeds), one whose
    /// deadline passes while it waits, and the gone worker's task (its lease returned, it dies: one attempt
    /// only); drops has a drop and the gone process's interrupted ingest; one drop is rejected.
    static let counted: [String: Double] = [
        Exposition.key("spool_tasks_enqueued_total", ["queue": "mail", "source": "library"]): 5,
        Exposition.key("spool_tasks_enqueued_total", ["queue": "jobs", "source": "library"]): 4,
        Exposition.key("spool_tasks_enqueued_total", ["queue": "drops", "source": "drop"]): 2,
        Exposition.key("spool_tasks_finished_total", ["queue": "mail", "outcome": "succeeded"]): 5,
        Exposition.key("spool_tasks_finished_total", ["queue": "jobs", "outcome": "succeeded"]): 1,
        Exposition.key("spool_tasks_finished_total", ["queue": "jobs", "outcome": "dead"]): 3,
        Exposition.key("spool_tasks_finished_total", ["queue": "jobs", "outcome": "cancelled"]): 1,
        Exposition.key("spool_tasks_finished_total", ["queue": "jobs", "outcome": "expired"]): 1,
        Exposition.key("spool_tasks_finished_total", ["queue": "drops", "outcome": "succeeded"]): 2,
        Exposition.key("spool_attempts_failed_total", ["queue": "mail"]): 2,
        Exposition.key("spool_attempts_failed_total", ["queue": "jobs"]): 2,
        Exposition.key("spool_tasks_retried_total", ["queue": "jobs"]): 1,
        Exposition.key("spool_drops_rejected_total"): 1,
        Exposition.key("spool_janitor_leases_returned_total", ["reason": "expired"]): 0,
        Exposition.key("spool_janitor_leases_returned_total", ["reason": "worker_gone"]): 1,
        Exposition.key("spool_janitor_staging_recovered_total", ["outcome": "discarded"]): 1,
        Exposition.key("spool_janitor_staging_recovered_total", ["outcome": "resumed"]): 1,
        Exposition.key("spool_watcher_overflows_total", ["source": "kernel"]): 0,
        Exposition.key("spool_watcher_overflows_total", ["source": "reader"]): 0,
        Exposition.key("spool_watcher_rescans_total"): 0,
        Exposition.key("spool_task_lateness_seconds_count", ["queue": "mail"]): 7,
        Exposition.key("spool_task_lateness_seconds_count", ["queue": "jobs"]): 5,
        Exposition.key("spool_task_lateness_seconds_count", ["queue": "drops"]): 2,
        Exposition.key("spool_attempt_duration_seconds_count", ["queue": "mail"]): 7,
        Exposition.key("spool_attempt_duration_seconds_count", ["queue": "jobs"]): 5,
        Exposition.key("spool_attempt_duration_seconds_count", ["queue": "drops"]): 2,
    ]

    /// What the spool holds once the workload is over, by queue and state (every state of a queue shown).
    static let held: [String: Double] = {
        let finished: [String: [TaskState: Double]] = [
            "mail": [.done: 5], "jobs": [.done: 1, .dead: 4], "drops": [.done: 2],
        ]
        var samples = [Exposition.key("spool_incoming"): 0.0, Exposition.key("spool_rejected"): 1]
        for (queue, counts) in finished {
            for state in TaskState.allCases {
                samples[Exposition.key("spool_tasks", ["queue": queue, "state": state.rawValue])] = counts[state] ?? 0
            }
        }
        return samples
    }()

    static let expected = counted.merging(held) { $1 }
}
