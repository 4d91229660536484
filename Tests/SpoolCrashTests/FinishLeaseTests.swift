import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A finish that rewrites its task's file (to record a result, a failed attempt, or what a workflow step
/// passes on) keeps the task's lease until the file has moved on: a janitor of another process that runs
/// in between must leave the task alone, and the finish must complete.
///
/// `spool-test-worker` claims the task and finishes it, stopping itself (`SIGSTOP`) just before the
/// finishing move, after the rewrite (and, for a chain step, after staging the next step); this process
/// runs a janitor pass meanwhile, then lets the child go on.
@Suite(.serialized) struct FinishLeaseTests {
    enum Finish: String, CaseIterable, Sendable {
        /// A plain task completed with a result.
        case result
        /// A task with an `on_success` step, completed with a result.
        case chainStep = "chain-step"
        /// A failed attempt, to be retried in a minute.
        case retry

        var outcome: String { self == .retry ? "fail" : "complete-result" }
    }

    @Test(.timeLimit(.minutes(1)), arguments: Finish.allCases)
    func aJanitorLeavesTheLeaseOfAFinishUnderWay(_ finish: Finish) async throws {
        try await TemporarySpool.with("finishlease") { directory in
            let root = directory.path
            let spool = try Spool(root: root)
            try spool.enqueue(
                NewTask(
                    id: "task-1",
                    type: "test",
                    maxAttempts: 5,
                    backoff: .table([60]),
                    onSuccess: finish == .chainStep ? [NewTask(queue: "next", type: "step")] : []
                )
            )
            let next = WorkflowTemplate.ids(of: try spool.record(at: try #require(spool.find(id: "task-1"))).onSuccess)
            // The claim is the first rename, the rewrite the second, the finishing move the third.
            let child = try ChildProcess(
                try TestWorkerLocator.resolve(),
                ["claim", root, "default", finish.outcome, "--stop-at", "renameat2:2"]
            )
            guard await waitUntilStopped(child.pid) else {
                child.send(SIGKILL)
                _ = await child.waitForExit()
                Issue.record("the child never stopped: \(child.output) \(child.errorOutput)")
                return
            }
            // Past the millisecond of the rewrite, which a lease compares in.
            try await Task.sleep(for: .milliseconds(20))
            let report = spool.runJanitor()
            child.send(SIGCONT)
            let exit = await child.waitForExit()

            #expect(report.expiredLeases == 0, "the janitor took the lease of a finish under way: \(report)")
            #expect(exit == .exited(0), "\(child.output)\(child.errorOutput)")
            let location = try #require(spool.find(id: "task-1"))
            #expect(location.state == (finish == .retry ? .scheduled : .done))
            let attempts = try spool.record(at: location).attempts.map(\.error)
            #expect(attempts == (finish == .retry ? ["test failure"] : []))
            if finish == .chainStep {
                #expect(next.compactMap { spool.find(id: $0)?.state } == [.active])
            }
        }
    }
}
