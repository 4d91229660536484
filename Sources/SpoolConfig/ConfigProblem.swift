internal import Yams

/// A problem found while reading a parsed document: a reason and the position of the node it is about.
///
/// ``DaemonConfiguration/parse(_:source:)`` turns it into a ``ConfigurationError`` by adding the source.
struct ConfigProblem: Error {
    /// Where the offending node starts, when known.
    let mark: Mark?
    /// What is wrong, in one line, starting with the setting's path when there is one.
    let reason: String

    /// The public error for a document read from `source`.
    func error(source: String) -> ConfigurationError {
        ConfigurationError(source: source, line: mark?.line, column: mark?.column, reason: reason)
    }
}
