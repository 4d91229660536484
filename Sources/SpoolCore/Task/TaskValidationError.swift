/// Why a file is not a task Spool can accept. ``reason`` is the one line written to `rejected/<name>.reason`.
public struct TaskValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One line: the field and what is wrong with it, or what is wrong with the whole file.
    public var reason: String

    /// Creates an error with a reason.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
