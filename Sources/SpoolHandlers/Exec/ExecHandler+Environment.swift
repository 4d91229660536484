import SpoolConfig
import SpoolCore
import SpoolSystem
import SpoolWorker
import Subprocess

extension ExecHandler {
    /// The command's environment: the daemon's, then the spec's variables, then the `SPOOL_*` ones.
    ///
    /// `SPOOL_TASK_MAX_ATTEMPTS` is the attempts the task may make: its own `max_attempts`, else the spool's
    /// default. `SPOOL_TASK_KEY` is removed when the task has no `key`, so that a value inherited from the
    /// daemon's own environment cannot pass for the task's. `TRACEPARENT` and `TRACESTATE` are the trace
    /// context of the attempt (``ClaimedTask/trace``), likewise removed when there is none.
    func environment(for context: TaskContext) -> Subprocess.Environment {
        let record = context.record
        var values = baseEnvironment
        values["SPOOL_TASK_ID"] = record.id
        values["SPOOL_TASK_TYPE"] = record.type
        values["SPOOL_TASK_QUEUE"] = record.queue
        values["SPOOL_TASK_ATTEMPT"] = String(context.attempt)
        values["SPOOL_TASK_MAX_ATTEMPTS"] = (record.maxAttempts ?? context.spool?.configuration.defaultMaxAttempts)
            .map { String($0) }
        values["SPOOL_TASK_KEY"] = record.key
        values["SPOOL_DIR"] = spoolRoot
        // Names the attempt's processes, so that a janitor finds them even before their group is recorded.
        values["SPOOL_WORKER"] = "\(context.task.worker)"
        values["SPOOL_DEADLINE"] = context.deadline.rfc3339
        // The attempt's trace context, as OpenTelemetry's environment carrier names it; removed when the task
        // has none, so that the daemon's own cannot pass for the task's.
        values["TRACEPARENT"] = context.task.trace?.traceparent
        values["TRACESTATE"] = context.task.trace?.tracestate
        return .custom(values)
    }

    /// The daemon's environment with `overrides` set.
    static func baseEnvironment(applying overrides: [String: String]) -> [Subprocess.Environment.Key: String] {
        var values: [Subprocess.Environment.Key: String] = [:]
        for (name, value) in LocalProcess.environmentVariables() {
            values[Subprocess.Environment.Key(stringLiteral: name)] = value
        }
        for (name, value) in overrides { values[Subprocess.Environment.Key(stringLiteral: name)] = value }
        return values
    }
}
