import SpoolCore
import SpoolTestSupport
import SpoolWorker
import Synchronization
import Testing

/// A Swift handler's attempt cancelled from outside: its task is cancelled, and the task ends in `dead/` as
/// `cancelled`, not retried. With inotify the worker is told at once; in poll mode (a network filesystem),
/// at its next lease renewal.
@Suite(.timeLimit(.minutes(1))) struct CancelRunningTests {
    @Test(arguments: [EngineConfiguration.WatchMode.inotify, .poll])
    func aSwiftHandlerIsCancelledAndItsTaskEndsCancelled(_ mode: EngineConfiguration.WatchMode) async throws {
        try await TemporarySpool.with { directory in
            // Lease renewals every 0.2 s: the poll mode's way to see the marker.
            let spool = try directory.open(configuration: SpoolConfiguration(leaseDuration: 0.6))
            let started = Atomic<Int>(0)
            let sawCancellation = Atomic<Bool>(false)
            var handlers = TaskHandlers()
            handlers.register("t") { _ in
                started.add(1, ordering: .relaxed)
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch is CancellationError {
                    sawCancellation.store(true, ordering: .relaxed)
                    throw CancellationError()
                }
                return nil
            }
            let id = try spool.enqueue(NewTask(type: "t"))
            let engine = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(watchMode: mode, pollInterval: 0.2),
                handlers: handlers
            )
            try await whileRunningGracefully(engine) {
                #expect(await eventually { started.load(ordering: .relaxed) == 1 })
                #expect(try spool.cancel(id: id) == .requested(worker: "\(WorkerName.current)"))
                #expect(await eventually(within: 5) { spool.find(id: id)?.state == .dead })
                let cancelled = sawCancellation.load(ordering: .relaxed)
                #expect(cancelled, "the handler's task was cancelled")
                let record = try spool.record(at: #require(spool.find(id: id)))
                #expect(record.stateReason == "cancelled" && record.attempts.count == 1)
                try await Task.sleep(for: .milliseconds(300))
                let runs = started.load(ordering: .relaxed)
                #expect(runs == 1, "not retried")
            }
        }
    }
}
