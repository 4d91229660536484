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
