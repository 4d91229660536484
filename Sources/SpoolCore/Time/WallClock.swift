import SpoolSystem

/// A source of wall-clock time that can also wait, so that time-dependent code can be driven by tests.
public protocol WallClock: Sendable {
    /// The current time.
    var now: Timestamp { get }

    /// Waits until `deadline` (or returns at once if it has passed).
    ///
    /// - Throws: `CancellationError` if the task is cancelled while waiting.
    func sleep(until deadline: Timestamp) async throws
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    /// Creates the system clock.
    public init() {}

    public var now: Timestamp {
        Timestamp(milliseconds: FileTime.now().milliseconds)
    }

    public func sleep(until deadline: Timestamp) async throws {
        let remaining = deadline.milliseconds - now.milliseconds
        if remaining > 0 {
            try await Task.sleep(for: .milliseconds(remaining))
        }
    }
}
