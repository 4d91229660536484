/// Why a cron spec, time zone or interval could not be read: one line, naming the part at fault.
public struct CronSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }
}
