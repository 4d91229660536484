import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A name a producer might give a file in `incoming/`, as raw bytes, and what FORMAT.md says becomes of it.
struct HostileName: Sendable, CustomTestStringConvertible {
    enum Fate: Sendable {
        /// A drop: ingested under this name (placed, or rejected as `rejected/<name>`).
        case drop
        /// Not UTF-8: renamed to this name within `incoming/`, then ingested as a drop.
        case renamed(String)
        /// A drop name longer than 200 bytes: rejected for it.
        case tooLong
        /// Not a drop name: left in `incoming/` untouched.
        case leftAlone
    }

    var label: String
    var bytes: [UInt8]
    var fate: Fate

    var text: String { String(decoding: bytes, as: UTF8.self) }
    var tooLongReason: String { "drop name longer than 200 bytes (\(bytes.count))" }
    var testDescription: String { label }

    init(_ label: String, _ bytes: [UInt8], _ fate: Fate) {
        self.label = label
        self.bytes = bytes
        self.fate = fate
    }

    init(_ label: String, _ text: String, _ fate: Fate) {
        self.init(label, Array(text.utf8), fate)
    }

    private static func raw(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }
    private static let json = Array(".json".utf8)

    static let all: [HostileName] = [
        HostileName("spaces", "with spaces.json", .drop),
        HostileName("newline", "new\nline.json", .drop),
        HostileName("carriage return", "cr\r.json", .drop),
        HostileName("tab", "tab\there.json", .drop),
        HostileName("leading space", " leading.json", .drop),
        HostileName("control bytes", "\u{1}\u{1B}[31m.json", .drop),
        HostileName("DEL", "del\u{7F}.json", .drop),
        HostileName("non-ASCII", "\u{FC}n\u{EF}c\u{F8}d\u{E9} \u{540D}\u{524D} \u{1F600}.json", .drop),
        HostileName("right-to-left override", "\u{202E}nosj.exe.json", .drop),
        HostileName("shell metacharacters", "$(touch pwned);`x`|&>*?.json", .drop),
        HostileName("backslash and quotes", "a\\b\"c'd.json", .drop),
        HostileName("percent signs", "%41%.json", .drop),
        HostileName("dash only", "-.json", .drop),
        HostileName("double suffix", "a.json.json", .drop),
        HostileName("two dots", "a..json", .drop),
        HostileName("200 bytes", String(repeating: "a", count: 195) + ".json", .drop),
        HostileName("200 bytes of 2-byte characters", String(repeating: "\u{E9}", count: 97) + "a.json", .drop),
        HostileName("200 bytes of 4-byte characters", String(repeating: "\u{1F600}", count: 48) + "abc.json", .drop),
        HostileName("201 bytes", String(repeating: "a", count: 196) + ".json", .tooLong),
        HostileName("201 bytes in 103 characters", String(repeating: "\u{E9}", count: 98) + ".json", .tooLong),
        HostileName("255 bytes", String(repeating: "a", count: 250) + ".json", .tooLong),
        HostileName("255 bytes with newlines", String(repeating: "\n", count: 250) + ".json", .tooLong),
        HostileName("invalid byte FF", raw(Array("bad".utf8), [0xFF], json), .renamed("bad%FF.json")),
        HostileName("truncated sequence", raw([0xC3, 0x28], json), .renamed("%C3(.json")),
        HostileName("encoded surrogate", raw([0xED, 0xA0, 0x80], json), .renamed("%ED%A0%80.json")),
        HostileName("overlong slash", raw([0xC0, 0xAF], json), .renamed("%C0%AF.json")),
        HostileName("percent and FF", raw(Array("100%".utf8), [0xFF], json), .renamed("100%25%FF.json")),
        HostileName("Latin-1", raw(Array("caf".utf8), [0xE9, 0x20, 0xFC], json), .renamed("caf%E9 %FC.json")),
        HostileName("newline and FF", raw([0x0A, 0xFF], json), .renamed("%0A%FF.json")),
        HostileName(
            "valid UTF-8 beside an invalid byte",
            raw(Array("ok-\u{E9}".utf8), [0xFF], json),
            .renamed("ok-%C3%A9%FF.json")
        ),
        HostileName(
            "200 invalid bytes",
            raw([UInt8](repeating: 0xFF, count: 195), json),
            .renamed(String(repeating: "%FF", count: 50) + ".json")
        ),
        HostileName(
            "255 invalid bytes",
            raw([UInt8](repeating: 0xFE, count: 250), json),
            .renamed(String(repeating: "%FE", count: 50) + ".json")
        ),
        HostileName("hidden", ".hidden.json", .leftAlone),
        HostileName("suffix only", ".json", .leftAlone),
        HostileName("hidden with two dots", "..json", .leftAlone),
        HostileName("hidden, not UTF-8", raw([0x2E, 0xFF], json), .leftAlone),
        HostileName("upper-case suffix", "task.JSON", .leftAlone),
        HostileName("mixed-case suffix", "task.Json", .leftAlone),
        HostileName("temporary suffix", "task.json.tmp", .leftAlone),
        HostileName("backup suffix", "task.json~", .leftAlone),
        HostileName("trailing space", "task.json ", .leftAlone),
        HostileName("trailing newline", "task.json\n", .leftAlone),
        HostileName("no suffix", "task", .leftAlone),
        HostileName("json without dot", "json", .leftAlone),
        HostileName("short suffix", "task.jso", .leftAlone),
        HostileName("long suffix", "task.jsonx", .leftAlone),
        HostileName("not UTF-8, not a drop", raw([0xFF], Array(".tmp".utf8)), .leftAlone),
        HostileName("255 bytes, not a drop", String(repeating: "a", count: 251) + ".tmp", .leftAlone),
    ]
}

extension DropNameTests {
    /// Whether a drop whose name was not UTF-8 took `name` on `spool` for the name FORMAT.md gives it,
    /// `renamed`: that name itself, or, on a filesystem without `RENAME_NOREPLACE` (where the new name must be
    /// one no other drop can have), `<renamed without .json>.<ULID>.json`.
    static func isRenamed(_ name: String, as renamed: String, by spool: Spool) -> Bool {
        if spool.renameFlagsDescription.hasPrefix("noreplace") { return name == renamed }
        let stem = renamed.dropLast(".json".count) + "."
        let ulid = name.dropFirst(stem.count).dropLast(".json".count)
        return name.hasPrefix(stem) && name.hasSuffix(".json") && ulid.count == 26
            && ulid.allSatisfy { $0.isASCII && ($0.isNumber || $0.isUppercase) }
    }

    /// What a daemon's ingest pass does: list the drops in `incoming/`, then ingest each.
    static func ingestPass(_ spool: Spool) throws -> [IngestOutcome] {
        var outcomes: [IngestOutcome] = []
        for name in try spool.pendingDrops() { outcomes.append(try spool.ingest(name)) }
        return outcomes
    }

    /// `directory/name` with the raw bytes of `name`, for the C calls that create files of every kind.
    static func path(_ directory: String, _ name: [UInt8]) -> [CChar] {
        (Array(directory.utf8) + [UInt8(ascii: "/")] + name + [0]).map { CChar(bitPattern: $0) }
    }

    /// Creates `incoming/<name>` (raw bytes) holding `content`; 0, or the `errno` of the failure.
    static func create(_ content: [UInt8], in directory: TemporarySpool, name: [UInt8]) -> Int32 {
        let descriptor = open(path("\(directory.path)/incoming", name), O_CREAT | O_EXCL | O_WRONLY, 0o644)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        let written = content.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        return written == content.count ? 0 : EIO
    }

    /// The raw names in `directory/folder`, sorted.
    static func rawNames(_ directory: TemporarySpool, _ folder: String) -> [[UInt8]] {
        var names: [[UInt8]] = []
        try? Syscall.forEachEntryName(in: "\(directory.path)/\(folder)") { name, _ in
            names.append(Array(name))
            return true
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Expects the one drop of `outcomes` in `rejected/` with `reason`, under a name that starts like
    /// `name` (a name too long to have a `.reason` next to it is cut), and nothing left in `incoming/`.
    static func expectRejected(
        _ outcomes: [IngestOutcome],
        in directory: TemporarySpool,
        like name: [UInt8],
        reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard outcomes.count == 1, case .rejected(let kept, let given) = outcomes[0] else {
            Issue.record("not rejected: \(outcomes)", sourceLocation: sourceLocation)
            return
        }
        #expect(given == reason, sourceLocation: sourceLocation)
        #expect(Array(kept.utf8.prefix(160)) == Array(name.prefix(160)), sourceLocation: sourceLocation)
        let rejected = SpoolFiles.names("\(directory.path)/rejected")
        #expect(rejected == [kept, kept + ".reason"], sourceLocation: sourceLocation)
        let written = try? SpoolFiles.read("\(directory.path)/rejected/\(kept).reason")
        #expect(written == Array((reason + "\n").utf8), sourceLocation: sourceLocation)
        #expect(rawNames(directory, "incoming").isEmpty, sourceLocation: sourceLocation)
    }

    /// Expects `incoming/<name>` untouched, no outcome, and nothing placed or rejected.
    static func expectLeftAlone(
        _ outcomes: [IngestOutcome],
        in directory: TemporarySpool,
        name: [UInt8],
        content: [UInt8],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(outcomes.isEmpty, sourceLocation: sourceLocation)
        #expect(rawNames(directory, "incoming") == [name], sourceLocation: sourceLocation)
        let kept = path("\(directory.path)/incoming", name).withUnsafeBufferPointer { path in
            String(validatingCString: path.baseAddress!).flatMap { try? SpoolFiles.read($0) }
        }
        if String(validating: name, as: UTF8.self) != nil {
            #expect(kept == content, sourceLocation: sourceLocation)
        }
        #expect(SpoolFiles.files(under: "\(directory.path)/active").isEmpty, sourceLocation: sourceLocation)
        #expect(SpoolFiles.names("\(directory.path)/rejected").isEmpty, sourceLocation: sourceLocation)
    }

    /// Makes `incoming/<kind>.json` with `make` (given its path; 0 on success), runs an ingest pass, and
    /// expects the drop in `rejected/` next to a `.reason`; the reason is `reason`, unless `knownIssue`
    /// says why the code does otherwise.
    static func withDrop(
        kind: String,
        _ make: (UnsafePointer<CChar>) -> Int32,
        reason: String,
        knownIssue: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let name = "\(kind).json"
            let made = path("\(directory.path)/incoming", Array(name.utf8)).withUnsafeBufferPointer {
                make($0.baseAddress!)
            }
            try #require(made == 0, "could not make a \(kind): errno \(errno)", sourceLocation: sourceLocation)
            let outcomes = try ingestPass(spool)
            #expect(outcomes.count == 1, sourceLocation: sourceLocation)
            let given: String
            switch outcomes.first {
            case .rejected(let kept, let reason)?:
                #expect(kept == name, sourceLocation: sourceLocation)
                given = reason
            default:
                Issue.record("not rejected: \(outcomes)", sourceLocation: sourceLocation)
                return
            }
            if let knownIssue {
                withKnownIssue(Comment(rawValue: knownIssue + "; the reason is: " + given)) {
                    #expect(given == reason, sourceLocation: sourceLocation)
                }
            } else {
                #expect(given == reason, sourceLocation: sourceLocation)
            }
            let rejected = SpoolFiles.names("\(directory.path)/rejected")
            #expect(rejected == [name, name + ".reason"], sourceLocation: sourceLocation)
            let written = try SpoolFiles.read("\(directory.path)/rejected/\(name).reason")
            #expect(written == Array((given + "\n").utf8), sourceLocation: sourceLocation)
            #expect(SpoolFiles.names("\(directory.path)/incoming").isEmpty, sourceLocation: sourceLocation)
            #expect(SpoolFiles.files(under: "\(directory.path)/active").isEmpty, sourceLocation: sourceLocation)
        }
    }

    /// A device number from its major and minor numbers (glibc's `makedev`).
    static func device(major: UInt64, minor: UInt64) -> dev_t {
        dev_t((minor & 0xFF) | ((major & 0xFFF) << 8) | ((minor & ~0xFF) << 12) | ((major & ~0xFFF) << 32))
    }
}
