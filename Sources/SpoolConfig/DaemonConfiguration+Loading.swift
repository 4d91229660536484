internal import FoundationEssentials

extension DaemonConfiguration {
    /// Reads the configuration file at `path`.
    ///
    /// - Throws: ``ConfigurationError`` when the file cannot be read (including when it does not exist), is
    ///   not UTF-8, or is not a valid configuration (see ``parse(_:source:)``).
    public static func load(path: String) throws(ConfigurationError) -> DaemonConfiguration {
        guard let text = try contents(of: path) else { throw ConfigurationError(source: path, reason: "no such file") }
        return try parse(text, source: path)
    }

    /// Reads the configuration file at `path`, or gives the default configuration when there is no file there.
    ///
    /// - Throws: ``ConfigurationError`` when the file exists but cannot be read or is not a valid configuration.
    public static func loadIfPresent(path: String) throws(ConfigurationError) -> DaemonConfiguration {
        guard let text = try contents(of: path) else { return DaemonConfiguration() }
        return try parse(text, source: path)
    }

    /// The file's text, or `nil` when there is no file at `path`.
    private static func contents(of path: String) throws(ConfigurationError) -> String? {
        let data: Data
        do {
            data = try Data(contentsOf: URL(filePath: path))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return nil
        } catch {
            throw ConfigurationError(source: path, reason: "cannot read the file: \(Self.describe(error))")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationError(source: path, reason: "not UTF-8 text")
        }
        return text
    }

    /// Why a file could not be read: the errno's name, such as `EACCES` or `EISDIR`, as Foundation's own
    /// description of the error spans several lines and repeats the path.
    private static func describe(_ error: any Error) -> String {
        guard let cause = (error as? CocoaError)?.underlying as? POSIXError else { return "\(error)" }
        return "\(cause.code)"
    }
}
