import Logging
import SpoolCore
import SpoolTestSupport
import SpoolWorker
import Tracing

/// Real claimed tasks for handler tests: enqueued in a temporary spool and claimed the way a worker does.
enum TaskFixture {
    /// Why a fixture could not be made.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The context of the first attempt at a new task in `directory`'s spool.
    ///
    /// - Parameters:
    ///   - http: Set as the claimed task's `http` object (what a producer would have written in the file).
    ///   - timeout: Seconds from `clock`'s now to the attempt's deadline.
    ///   - trace: The task's trace context, as its producer gave it.
    ///   - tracer: What the spool traces with.
    static func context(
        in directory: TemporarySpool,
        payload: JSONValue = .null,
        key: String? = nil,
        maxAttempts: Int? = nil,
        http: JSONValue? = nil,
        timeout: Double = 30,
        clock: any WallClock = SystemClock(),
        trace: TaskTrace? = nil,
        tracer: any Tracer = NoOpTracer()
    ) throws -> TaskContext {
        let spool = try directory.open(clock: clock, tracer: tracer)
        _ = try spool.enqueue(NewTask(type: "job", payload: payload, maxAttempts: maxAttempts, key: key, trace: trace))
        guard let name = try spool.oldestActive(queue: "default", limit: 1).names.first,
            var task = try spool.claim(name, queue: "default")
        else { throw Failure(description: "the task just enqueued could not be claimed") }
        task.record.http = http
        let logger = Logger(label: "spool.handlers.test") { _ in SwiftLogNoOpLogHandler() }
        return TaskContext(
            task: task,
            deadline: clock.now.adding(seconds: timeout),
            clock: clock,
            logger: logger,
            spool: spool
        )
    }
}
