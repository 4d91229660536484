import Logging
import SpoolCore
import Synchronization
import Tracing

/// Runs one claimed task: the hooks and handler, watched by the pool's ``LeaseKeeper`` (which keeps the
/// lease and ends the attempt at its timeout), then records the outcome in the spool.
///
/// Cancellation (a shutdown whose grace is over) hands the task back without counting the attempt.
struct TaskExecution {
    private enum Outcome: Sendable {
        case succeeded(JSONValue?)
        case failed(any Error)
        case timedOut(Double)
        case interrupted
        case leaseLost(String)
        case cancelled
    }

    let spool: Spool
    let handlers: TaskHandlers
    let keeper: LeaseKeeper
    /// Says, for the whole pool, when recording outcomes fails.
    let recordFaults: FaultLog

    /// Runs the task; `false` when this process has no handler for it: it is then handed back, uncounted,
    /// to wait in `active/` for a process that has one.
    func run(_ task: ClaimedTask) async -> Bool {
        guard let handler = handlers.handler(for: task.record) else {
            handBackUnhandled(task)
            return false
        }
        let clock = spool.clock
        let timeout = task.record.timeout ?? spool.configuration.defaultTimeout
        let started = clock.now
        let logger = taskLogger(task)
        let context = TaskContext(
            task: task,
            deadline: started.adding(seconds: timeout),
            clock: clock,
            logger: logger,
            spool: spool
        )
        // The keeper renews the lease and ends the attempt at its deadline, or when the lease is lost.
        let expiry = Mutex<LeaseKeeper.Expiry?>(nil)
        // A Swift handler runs in the attempt's span, and the spans it starts are its children.
        let running = ServiceContext.withValue(task.serviceContext ?? ServiceContext.current) {
            Task { await attempt(context, handler: handler) }
        }
        let watch = keeper.watch(task, deadline: context.deadline) { reason in
            let first = expiry.withLock { current in
                defer { if current == nil { current = reason } }
                return current == nil
            }
            if first { running.cancel() }
        }
        var outcome = await withTaskCancellationHandler {
            await running.value
        } onCancel: {
            running.cancel()
        }
        keeper.release(watch)
        // The handler may have finished after its deadline or its lost lease; what it returned no longer counts.
        switch expiry.withLock({ $0 }) {
        case .timedOut: outcome = .timedOut(timeout)
        case .leaseLost(let message): outcome = .leaseLost(message)
        case .cancelled: outcome = .cancelled
        case nil: break
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
        case .interrupted, .leaseLost, .cancelled:
            break
        }
        await record(outcome, for: task, logger: logger)
        return true
    }

    private func handBackUnhandled(_ task: ClaimedTask) {
        do {
            try spool.handBack(task)
        } catch {
            spool.logger.error(
                "could not hand back",
                metadata: ["spool.task.id": "\(task.record.id)", "spool.error": "\(error)"]
            )
            return
        }
        // Once per type and queue in this process: the task waits, and says why.
        guard UnhandledTypes.shared.insert(queue: task.record.queue, type: task.record.type) else { return }
        spool.logger.warning(
            "no handler for this type here; its tasks wait in active/ for a process that has one",
            metadata: ["spool.task.queue": "\(task.record.queue)", "spool.task.type": "\(task.record.type)"]
        )
    }

    private func taskLogger(_ task: ClaimedTask) -> Logger {
        var logger = spool.logger
        logger[metadataKey: "spool.task.id"] = .stringConvertible(task.record.id)
        logger[metadataKey: "spool.task.queue"] = .stringConvertible(task.record.queue)
        logger[metadataKey: "spool.task.type"] = .stringConvertible(task.record.type)
        logger[metadataKey: "spool.task.attempt"] = .stringConvertible(task.attempt)
        return logger
    }

    /// The hooks and handler of one attempt.
    private func attempt(_ context: TaskContext, handler: TaskHandlers.Handler) async -> Outcome {
        do {
            for hook in handlers.beforeHooks { try await hook(context) }
            return .succeeded(try await handler(context))
        } catch is CancellationError {
            return .interrupted
        } catch {
            return .failed(error)
        }
    }

    /// Records the outcome; while the filesystem fails (read-only, I/O error, disk full), tries again
    /// after a backoff, until it works, the lease is lost, or a shutdown's grace ends (the task is then
    /// returned, counted, at the next start).
    private func record(_ outcome: Outcome, for task: ClaimedTask, logger: Logger) async {
        let clock = spool.clock
        var backoff = FaultBackoff()
        while true {
            do {
                try recordOnce(outcome, for: task, logger: logger)
                recordFaults.succeeded()
                return
            } catch  where error.code == .leaseLost {
                logger.warning("lease lost before the outcome was recorded", metadata: ["spool.error": "\(error)"])
                return
            } catch {
                backoff.failed(now: clock.now)
                recordFaults.failed(
                    now: clock.now,
                    metadata: ["spool.task.id": "\(task.record.id)", "spool.error": "\(error)"]
                )
            }
            do {
                try await clock.sleep(until: backoff.retryAt ?? clock.now)
            } catch {
                logger.warning("shutting down before the outcome was recorded; the task is returned at the next start")
                spool.abandonAttempt(task, reason: "shut down before the outcome was recorded")
                return
            }
        }
    }

    private func recordOnce(_ outcome: Outcome, for task: ClaimedTask, logger: Logger) throws(SpoolError) {
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
            spool.abandonAttempt(task, reason: "lease lost while running: \(message)")
        case .cancelled:
            try spool.finishCancelled(task)
        }
    }
}

/// The queue and type pairs this process has said it has no handler for, so that it says it once each;
/// bounded, so that a flood of unknown types cannot grow it without end.
final class UnhandledTypes: Sendable {
    static let shared = UnhandledTypes()
    private static let limit = 1024
    private let seen = Mutex<Set<String>>([])

    /// `true` the first time a pair is seen.
    func insert(queue: String, type: String) -> Bool {
        seen.withLock { seen in
            if seen.count >= UnhandledTypes.limit { seen.removeAll() }
            return seen.insert("\(queue)/\(type)").inserted
        }
    }
}
