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
    /// The spool holding the task, when the attempt runs on one (not in a handler's unit test).
    public let spool: Spool?

    /// Creates the context of one attempt.
    public init(task: ClaimedTask, deadline: Timestamp, clock: any WallClock, logger: Logger, spool: Spool? = nil) {
        self.task = task
        self.deadline = deadline
        self.clock = clock
        self.logger = logger
        self.spool = spool
    }

    /// Records in the spool that this attempt runs the process group led by `leader`, so that a janitor
    /// kills the group before the task runs again if this process dies first
    /// (see ``Spool/recordProcessGroup(leader:of:)``). Does nothing without a spool.
    public func recordProcessGroup(leader: Int32) throws {
        try spool?.recordProcessGroup(leader: leader, of: task)
    }

    /// Removes the record made by ``recordProcessGroup(leader:)`` once the group is gone.
    public func forgetProcessGroup() {
        spool?.forgetProcessGroup(of: task)
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
