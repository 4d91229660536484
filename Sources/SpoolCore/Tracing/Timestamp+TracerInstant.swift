public import Tracing

/// Spans are timed by the spool's clock, to the millisecond, as the task file's times are: a span starts
/// and ends when the file says its step did, and a test's manual clock times its spans too.
extension Timestamp: TracerInstant {
    /// Nanoseconds since the Unix epoch; 0 for a time before it.
    public var nanosecondsSinceEpoch: UInt64 {
        UInt64(max(milliseconds, 0)) * 1_000_000
    }
}
