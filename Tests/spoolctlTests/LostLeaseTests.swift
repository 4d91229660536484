import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A worker stopped past its lease (SIGSTOP) loses the task cleanly: another daemon's janitor kills the
/// attempt's command and returns the lease, counted; when the worker is continued, its late finish is
/// refused, and the task runs again once.
@Suite(.timeLimit(.minutes(2))) struct LostLeaseTests {
    @Test func aStoppedWorkerLosesItsTaskAndItsLateFinishIsRefused() async throws {
        try await TemporarySpool.with { directory in
            let log = "\(directory.path)/runs.log"
            try writeSlowHandlerSpool(directory, log: log, seconds: 2, settings: "lease: 1s\njanitor_interval: 200ms\n")
            let spool = try directory.open()
            let id = try spool.enqueue(NewTask(queue: "work", type: "job"))
            let worker = try ChildProcess("spoold", ["--spool", directory.path, "--mode", "worker"])
            let scheduler = try ChildProcess("spoold", ["--spool", directory.path, "--mode", "scheduler"])
            #expect(await eventually { lines(of: log) == ["start 1"] })
            worker.send(SIGSTOP)
            #expect(
                await eventually { spool.find(id: id)?.state != .running },
                "the scheduler's janitor returns the lease of the stopped worker"
            )
            try await Task.sleep(for: .seconds(2))
            worker.send(SIGCONT)
            #expect(await eventually(within: 30) { spool.find(id: id)?.state == .done })
            for daemon in [worker, scheduler] {
                daemon.send(SIGTERM)
                #expect(await daemon.wait() == 0, "\(daemon.errorOutput)")
            }
            #expect(lines(of: log) == ["start 1", "start 2", "end 2"], "attempt 1 was stopped, not finished late")
            let record = try spool.record(at: #require(spool.find(id: id)))
            #expect(record.attempts.count == 1)
            #expect(record.attempts.first?.error.hasPrefix("lease expired") == true)
            #expect(worker.errorOutput.contains("moved by another process"), "the late finish is refused")
        }
    }
}
