import Logging
import SpoolCore

/// Runs one claimed task: the hooks and handler, a heartbeat that keeps the lease, and the attempt's
/// timeout, then records the outcome in the spool.
///
/// Cancellation (a shutdown whose grace is over) hands the task back without counting the attempt.
struct TaskExecution {
    private enum Outcome: Sendable {
        case succeeded(JSONValue?)
        case failed(any Error)
        case timedOut(Double)
        case interrupted
        case leaseLost(String)
    }

    let spool: Spool
    let handlers: TaskHandlers

    func run(_ task: ClaimedTask) async {
        let clock = spool.clock
        let lease = spool.configuration.leaseDuration
        let timeout = task.record.timeout ?? spool.configuration.defaultTimeout
        let started = clock.now
        let logger = taskLogger(task)
        let context = TaskContext(task: task, deadline: started.adding(seconds: timeout), clock: clock, logger: logger)
        var outcome = await withTaskGroup(of: Outcome?.self) { group -> Outcome in
            group.addTask { await attempt(context) }
            // One watchdog renews the lease every third of its duration and ends the attempt at its deadline.
            group.addTask {
                var nextHeartbeat = clock.now.adding(seconds: lease / 3)
                while true {
                    do {
                        try await clock.sleep(until: min(nextHeartbeat, context.deadline))
                    } catch {
                        return nil
                    }
                    if clock.now >= context.deadline { return .timedOut(timeout) }
                    guard clock.now >= nextHeartbeat else { continue }
                    do throws(SpoolError) {
                        try spool.heartbeat(task)
                    } catch  where error.code == .leaseLost {
                        return .leaseLost(error.message)
                    } catch {
                        logger.warning("heartbeat failed", metadata: ["spool.error": "\(error)"])
                    }
                    nextHeartbeat = clock.now.adding(seconds: lease / 3)
                }
            }
            var outcome = Outcome.interrupted
            while let next = await group.next() {
                guard let next else { continue }
                outcome = next
                break
            }
            group.cancelAll()
            // The handler may still finish after a timeout; what it returns then no longer counts.
            return outcome
        }
        // A failure while shutting down is most likely the shutdown's doing: hand the task back uncounted.
        if Task.isCancelled, case .failed = outcome { outcome = .interrupted }
        switch outcome {
        case .succeeded(let result):
            for hook in handlers.afterHooks { await hook(context, result) }
        case .failed(let error):
            for hook in handlers.errorHooks { await hook(context, error) }
        case .timedOut(let seconds):
            for hook in handlers.errorHooks {
                await hook(context, HandlerFailure.retry("timed out after \(seconds) s"))
            }
        case .interrupted, .leaseLost:
            break
        }
        record(outcome, for: task, logger: logger)
    }

    private func taskLogger(_ task: ClaimedTask) -> Logger {
        var logger = spool.logger
        logger[metadataKey: "spool.task.id"] = "\(task.record.id)"
        logger[metadataKey: "spool.task.queue"] = "\(task.record.queue)"
        logger[metadataKey: "spool.task.type"] = "\(task.record.type)"
        logger[metadataKey: "spool.task.attempt"] = "\(task.attempt)"
        return logger
    }

    /// The hooks and handler of one attempt.
    private func attempt(_ context: TaskContext) async -> Outcome {
        guard let handler = handlers.handler(for: context.record) else {
            return .failed(
                HandlerFailure.retry(
                    "no handler for type \"\(context.record.type)\" in queue \"\(context.record.queue)\""
                )
            )
        }
        do {
            for hook in handlers.beforeHooks { try await hook(context) }
            return .succeeded(try await handler(context))
        } catch is CancellationError {
            return .interrupted
        } catch {
            return .failed(error)
        }
    }

    private func record(_ outcome: Outcome, for task: ClaimedTask, logger: Logger) {
        do {
            switch outcome {
            case .succeeded(let result):
                try spool.complete(task, result: result)
            case .failed(let error as HandlerFailure):
                try spool.fail(task, error: error.message, retryAfter: error.retryAfter, permanent: error.permanent)
            case .failed(let error):
                try spool.fail(task, error: "\(error)")
            case .timedOut(let seconds):
                try spool.fail(task, error: "timed out after \(seconds) s")
            case .interrupted:
                try spool.handBack(task)
            case .leaseLost(let message):
                logger.warning("lease lost while running", metadata: ["spool.error": "\(message)"])
            }
        } catch {
            logger.error("could not record the outcome", metadata: ["spool.error": "\(error)"])
        }
    }
}
