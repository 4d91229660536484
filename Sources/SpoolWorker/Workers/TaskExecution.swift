import Logging
import SpoolCore

/// Runs one claimed task: the handler, a heartbeat that keeps the lease, and the attempt's timeout, then
/// records the outcome in the spool.
struct TaskExecution {
    private enum Outcome: Sendable {
        case succeeded(JSONValue?)
        case failed(HandlerFailure)
        case timedOut(Double)
        case interrupted
        case leaseLost(String)
    }

    let spool: Spool
    let handlers: TaskHandlers

    func run(_ task: ClaimedTask) async {
        guard let handler = handlers.handler(for: task.record.type) else {
            record(.failed(.retry("no handler registered for type \"\(task.record.type)\"")), for: task)
            return
        }
        let clock = spool.clock
        let lease = spool.configuration.leaseDuration
        let timeout = task.record.timeout ?? spool.configuration.defaultTimeout
        let started = clock.now
        let outcome = await withTaskGroup(of: Outcome?.self) { group -> Outcome in
            group.addTask {
                do {
                    let context = TaskContext(
                        task: task,
                        deadline: started.adding(seconds: timeout),
                        clock: clock,
                        logger: spool.logger
                    )
                    return .succeeded(try await handler(context))
                } catch let failure as HandlerFailure {
                    return .failed(failure)
                } catch is CancellationError {
                    return .interrupted
                } catch {
                    return .failed(.retry("\(error)"))
                }
            }
            group.addTask {
                while true {
                    do {
                        try await clock.sleep(until: clock.now.adding(seconds: lease / 3))
                        try spool.heartbeat(task)
                    } catch let error as SpoolError where error.code == .leaseLost {
                        return .leaseLost(error.message)
                    } catch is CancellationError {
                        return nil
                    } catch {
                        spool.logger.warning(
                            "heartbeat failed",
                            metadata: ["spool.task.id": "\(task.record.id)", "spool.error": "\(error)"]
                        )
                    }
                }
            }
            group.addTask {
                do {
                    try await clock.sleep(until: started.adding(seconds: timeout))
                    return .timedOut(timeout)
                } catch {
                    return nil
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
        record(outcome, for: task)
    }

    private func record(_ outcome: Outcome, for task: ClaimedTask) {
        do {
            switch outcome {
            case .succeeded(let result):
                try spool.complete(task, result: result)
            case .failed(let failure):
                try spool.fail(
                    task,
                    error: failure.message,
                    retryAfter: failure.retryAfter,
                    permanent: failure.permanent
                )
            case .timedOut(let seconds):
                try spool.fail(task, error: "timed out after \(seconds) s")
            case .interrupted:
                try spool.handBack(task)
            case .leaseLost(let message):
                spool.logger.warning(
                    "lease lost while running",
                    metadata: ["spool.task.id": "\(task.record.id)", "spool.error": "\(message)"]
                )
            }
        } catch {
            spool.logger.warning(
                "could not record the outcome",
                metadata: ["spool.task.id": "\(task.record.id)", "spool.error": "\(error)"]
            )
        }
    }
}
