public import Logging
public import SpoolCore
import Synchronization
import SystemPackage

/// Writes each log record as one logfmt line on standard error:
/// `ts=2026-12-04T16:20:00.123Z level=warning logger=spoold msg="lease returned" spool.task.id=01K...`.
///
/// Values are quoted when they hold a space, `=`, `"`, a control character or nothing, with `"` and `\`
/// escaped and line breaks written `\n`, so that every line parses as logfmt whatever a task or a handler
/// put in it.
public struct LogfmtLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let clock: any WallClock

    /// A handler for the logger `label`, stamping lines with `clock`'s time.
    public init(label: String, clock: any WallClock = SystemClock()) {
        self.label = label
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "ts=\(clock.now.rfc3339) level=\(event.level) logger=\(LogfmtLogHandler.quoted(label))"
        line += " msg=\(LogfmtLogHandler.quoted("\(event.message)"))"
        var merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        if let error = event.error { merged["error"] = "\(error)" }
        for key in merged.keys.sorted() {
            line += " \(LogfmtLogHandler.key(key))=\(LogfmtLogHandler.quoted(LogfmtLogHandler.text(merged[key]!)))"
        }
        LogfmtLogHandler.write(line + "\n")
    }

    /// Serialises writers of the process so that lines never interleave.
    private static let output = Mutex(())

    private static func write(_ line: String) {
        output.withLock { _ in _ = try? FileDescriptor.standardError.writeAll(Array(line.utf8)) }
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): "[" + values.map(text).joined(separator: ",") + "]"
        case .dictionary(let values):
            "{" + values.keys.sorted().map { "\($0):\(text(values[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// A key with anything but `[A-Za-z0-9._-]` replaced by `_`.
    static func key(_ key: String) -> String {
        String(
            key.unicodeScalars.map { scalar in
                scalar.isASCII
                    && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                        || "._-".unicodeScalars.contains(scalar))
                    ? Character(scalar) : "_"
            }
        )
    }

    /// `value`, quoted and escaped (as a JSON string, which logfmt readers take) when logfmt needs it.
    static func quoted(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.value < 0x20
                    || (0x7F...0x9F).contains($0.value)
                    || $0 == "\u{2028}" || $0 == "\u{2029}"
            }
        return needsQuotes ? JSONWriter.quoted(value, limit: .max) : value
    }
}
