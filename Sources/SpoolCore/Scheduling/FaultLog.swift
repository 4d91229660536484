public import Logging
import Synchronization

/// Says that one kind of operation is failing, however many tasks or loops hit the fault: the first
/// failure of a streak at `error`, then a reminder at most once a minute with the number of failures
/// since, and the recovery at `warning` once it works again.
public final class FaultLog: Sendable {
    private struct State {
        var failing = false
        var lastReport: Int64 = 0
        var unreported = 0
    }

    private let logger: Logger
    private let failingMessage: Logger.Message
    private let recoveredMessage: Logger.Message
    private let state = Mutex(State())

    /// The shortest time between two lines about one streak, in milliseconds.
    static let reportInterval: Int64 = 60_000

    /// A log for one operation: `failing` says what fails and what becomes of the work meanwhile,
    /// `recovered` that it works again.
    public init(_ logger: Logger, failing: Logger.Message, recovered: Logger.Message) {
        self.logger = logger
        self.failingMessage = failing
        self.recoveredMessage = recovered
    }

    /// Records a failure at `now`, logged with `metadata` if it is the first of its streak or the first
    /// for a minute.
    public func failed(now: Timestamp, metadata: Logger.Metadata) {
        let failures = state.withLock { state -> Int? in
            state.unreported += 1
            if state.failing, now.milliseconds - state.lastReport < FaultLog.reportInterval,
                now.milliseconds >= state.lastReport
            {
                return nil
            }
            state.failing = true
            state.lastReport = now.milliseconds
            defer { state.unreported = 0 }
            return state.unreported
        }
        guard let failures else { return }
        logger.error(failingMessage, metadata: metadata.merging(["spool.failures": "\(failures)"]) { $1 })
    }

    /// Records a success; logs the recovery if a streak of failures ends.
    public func succeeded() {
        let recovered = state.withLock { state -> Bool in
            defer { state = State() }
            return state.failing
        }
        if recovered { logger.warning(recoveredMessage) }
    }
}
