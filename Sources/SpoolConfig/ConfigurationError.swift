/// A configuration file that cannot be used, and where the problem is.
///
/// Its ``description`` is one line, `<source>:<line>:<column>: <reason>`, or `<source>: <reason>` when the problem
/// has no position in the file (such as a file that cannot be read).
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Hashable {
    /// Where the text came from: the file's path as given, or the name passed to
    /// ``DaemonConfiguration/parse(_:source:)``.
    public var source: String
    /// The 1-based line of the offending node, if the problem has a position.
    public var line: Int?
    /// The 1-based column of the offending node, counted in Unicode scalars, if the problem has a position.
    public var column: Int?
    /// What is wrong, in one line.
    public var reason: String

    /// Creates an error; `line` and `column` are 1-based.
    public init(source: String, line: Int? = nil, column: Int? = nil, reason: String) {
        self.source = source
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String {
        let text: String
        if let line, let column {
            text = "\(source):\(line):\(column): \(reason)"
        } else {
            text = "\(source): \(reason)"
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
