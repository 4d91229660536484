import SpoolConfig
import SpoolCore
import SpoolWorker

/// How a command ended and what it wrote: turned into the attempt's result or failure by the rules of
/// ``ExecHandlerSpec``.
struct CommandOutcome: Sendable {
    /// How the command ended.
    enum Termination: Sendable {
        /// It exited with this status.
        case exited(Int32)
        /// This signal ended it.
        case signaled(Int32)
    }

    /// How it ended.
    var termination: Termination
    /// The start of what it wrote on standard output.
    var standardOutput: BoundedBytes
    /// The start of what it wrote on standard error.
    var standardError: BoundedBytes

    /// The result of a successful attempt, or the failure to throw.
    ///
    /// - Exit 0: standard output parsed as JSON, or else as text (less one trailing newline); `nil` when
    ///   empty. A truncated output is always text.
    /// - A status in `retryExitCodes`: a retry after the number of seconds on the first line of standard
    ///   output, or by backoff.
    /// - A status in `permanentExitCodes`: a permanent failure.
    /// - Any other status, or a signal: a retry by backoff.
    func result(under spec: ExecHandlerSpec) throws(HandlerFailure) -> JSONValue? {
        switch termination {
        case .exited(0):
            return successResult
        case .exited(let status) where spec.retryExitCodes.contains(status):
            throw .retry(failureMessage, after: requestedDelay)
        case .exited(let status) where spec.permanentExitCodes.contains(status):
            throw .permanent(failureMessage)
        case .exited, .signaled:
            throw .retry(failureMessage)
        }
    }

    private var successResult: JSONValue? {
        if standardOutput.truncated { return .string(standardOutput.text) }
        if standardOutput.bytes.isEmpty { return nil }
        if let value = try? JSONParser.parse(standardOutput.bytes) { return value }
        var text = standardOutput.text
        if text.hasSuffix("\n") { text.removeLast() }
        return .string(text)
    }

    /// `exit status N: <stderr>` or `killed by signal S: <stderr>`.
    private var failureMessage: String {
        let what =
            switch termination {
            case .exited(let status): "exit status \(status)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        var detail = Substring(standardError.text)
        while let last = detail.last, last.isWhitespace { detail.removeLast() }
        return detail.isEmpty ? what : "\(what): \(detail)"
    }

    /// The delay a command asked for: its first line of output as a non-negative number of seconds, held to
    /// ``TaskRecord/maximumDelay``.
    private var requestedDelay: Double? {
        let firstLine = standardOutput.bytes.prefix { $0 != UInt8(ascii: "\n") }
        let text = String(decoding: firstLine, as: UTF8.self).trimmingWhitespace
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else { return nil }
        return min(seconds, TaskRecord.maximumDelay)
    }
}
