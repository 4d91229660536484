public import Logging
public import SpoolCore

/// What a handler sees of the task it runs.
public struct TaskContext: Sendable {
    /// The claimed task.
    public let task: ClaimedTask
    /// When this attempt times out: the handler is cancelled then, and the attempt fails.
    public let deadline: Timestamp
    /// The spool's clock.
    public let clock: any WallClock
    /// A logger carrying the task's id, queue, type and attempt as metadata.
    public let logger: Logger

    /// Creates the context of one attempt.
    public init(task: ClaimedTask, deadline: Timestamp, clock: any WallClock, logger: Logger) {
        self.task = task
        self.deadline = deadline
        self.clock = clock
        self.logger = logger
    }

    /// The task's content.
    public var record: TaskRecord { task.record }
    /// The task's payload.
    public var payload: JSONValue { task.record.payload }
    /// This attempt's number, 1 for the first.
    public var attempt: Int { task.attempt }
    /// Seconds left before the attempt times out (never negative).
    public var secondsRemaining: Double { max(0, Double(deadline.milliseconds - clock.now.milliseconds) / 1000) }
}

/// Thrown by a handler to choose what happens after a failed attempt.
public struct HandlerFailure: Error, Sendable, CustomStringConvertible {
    /// Recorded as the attempt's error.
    public var message: String
    /// Seconds until the next try, instead of the task's backoff.
    public var retryAfter: Double?
    /// The task must not be tried again: it goes to `dead/`.
    public var permanent: Bool

    /// A failed attempt to be retried after `seconds` (or by the task's backoff when `nil`).
    public static func retry(_ message: String, after seconds: Double? = nil) -> HandlerFailure {
        HandlerFailure(message: message, retryAfter: seconds, permanent: false)
    }

    /// A failure no retry can fix.
    public static func permanent(_ message: String) -> HandlerFailure {
        HandlerFailure(message: message, retryAfter: nil, permanent: true)
    }

    public var description: String { message }
}

/// In-process handlers, registered by task `type`.
public struct TaskHandlers: Sendable {
    /// A handler: returns the task's result (or `nil` for none), or throws to fail the attempt
    /// (``HandlerFailure`` chooses a retry delay or a permanent failure; any other error is retried by backoff).
    public typealias Handler = @Sendable (TaskContext) async throws -> JSONValue?

    private var handlers: [String: Handler] = [:]

    /// An empty registry.
    public init() {}

    /// Registers `handler` for tasks of `type`, replacing any earlier one.
    public mutating func register(_ type: String, _ handler: @escaping Handler) {
        handlers[type] = handler
    }

    /// The handler for `type`, if registered.
    public func handler(for type: String) -> Handler? {
        handlers[type]
    }
}
