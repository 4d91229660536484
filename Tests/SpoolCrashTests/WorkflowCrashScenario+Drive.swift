import SpoolCore
import SpoolSystem
import SpoolTestSupport

extension WorkflowCrashScenario {
    /// Drives a recovered spool to the end, as the workers of a restarted daemon would: whatever is
    /// scheduled (a returned lease's retry) is promoted, and every waiting task is claimed and finished, the
    /// chain's first task as the child finished it, any other with ``result``, until nothing waits. A group
    /// that was never created is enqueued again first, as its producer, never told it was, would do.
    func drive(_ spool: Spool) throws {
        if self == .groupCreate, spool.groupIDs().isEmpty {
            try spool.enqueue(group: WorkflowCrashScenario.group)
        }
        // Each round finishes what the round before enqueued; a chain or a group ends within three.
        for _ in 0..<5 {
            _ = Sweeper(spool: spool).advance(now: spool.clock.now.adding(seconds: 86_400))
            var finished = 0
            for queue in WorkflowCrashScenario.queues {
                while let task = try claimOldest(spool, queue: queue) {
                    try finish(task, in: spool)
                    finished += 1
                }
            }
            if finished == 0 { break }
        }
        DeferredUnlink.waitUntilIdle()
    }

    /// Retries the chain's failed first task by hand and lets it fail again: its `on_failure` step, whose id
    /// was fixed when the chain was accepted and which exists already, must not be placed a second time.
    func failAgainAfterRetryByHand(_ spool: Spool) throws {
        try spool.retryNow(id: WorkflowCrashScenario.parentID)
        guard let task = try claimOldest(spool, queue: WorkflowCrashScenario.queue) else {
            throw SpawnedProcessError(description: "the retried task is not waiting")
        }
        try finish(task, in: spool)
        DeferredUnlink.waitUntilIdle()
    }

    private func finish(_ task: ClaimedTask, in spool: Spool) throws {
        if self == .chainOnFailure, task.record.id == WorkflowCrashScenario.parentID {
            try spool.fail(task, error: "test permanent failure", permanent: true)
        } else {
            try spool.complete(task, result: WorkflowCrashScenario.result)
        }
    }
}
