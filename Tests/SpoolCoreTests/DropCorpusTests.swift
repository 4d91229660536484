import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// The drop box against the corpus in `Fixtures/drops/` (see its README) and the cases too large or too
/// regular to keep as files (`DropCorpusTests+Generated.swift`). Every bad drop ends in `rejected/`
/// unchanged, with exactly the reason its case gives; every good drop is stored exactly in the normal form
/// its case gives. All drops are ingested at ``now``.
@Suite struct DropCorpusTests {
    static let fixtures =
        String(#filePath).split(separator: "/").dropLast().map { "/\($0)" }.joined() + "/Fixtures/drops"

    /// The acceptance time of every drop: `ManualClock`'s start, 2026-11-21T10:00:30.000Z.
    static let now = ManualClock().now
    /// What the expected normal forms hold in place of an id Spool generates.
    static let generatedID = "GENERATED_ULID"

    /// `bad/EXPECTED.tsv`: each bad file and its exact reason.
    static var badCases: [(String, String)] {
        let text = String(decoding: (try? SpoolFiles.read("\(fixtures)/bad/EXPECTED.tsv")) ?? [], as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", maxSplits: 1)
            return fields.count == 2 ? (String(fields[0]), String(fields[1])) : nil
        }
    }

    static var goodCases: [String] { SpoolFiles.names("\(fixtures)/good") }

    @Test func corpusIsLargeAndComplete() {
        let bad = DropCorpusTests.badCases
        let good = DropCorpusTests.goodCases
        #expect(bad.count + good.count + GeneratedDrop.all.count >= 150)
        #expect(Set(SpoolFiles.names("\(DropCorpusTests.fixtures)/bad")) == Set(bad.map(\.0) + ["EXPECTED.tsv"]))
        #expect(SpoolFiles.names("\(DropCorpusTests.fixtures)/normal") == good, "one normal form per good drop")
        let names = bad.map(\.0) + good + GeneratedDrop.all.map(\.name)
        #expect(Set(names).count == names.count, "case names are unique")
    }

    @Test(arguments: DropCorpusTests.badCases)
    func badDropIsRejectedUnchanged(file: String, reason: String) throws {
        let original = try SpoolFiles.read("\(DropCorpusTests.fixtures)/bad/\(file)")
        try DropCorpusTests.expectRejected(original, as: file, reason: reason)
    }

    @Test(arguments: DropCorpusTests.goodCases)
    func goodDropIsStoredInNormalForm(file: String) throws {
        let original = try SpoolFiles.read("\(DropCorpusTests.fixtures)/good/\(file)")
        let normal = try SpoolFiles.read("\(DropCorpusTests.fixtures)/normal/\(file)")
        try DropCorpusTests.expectStored(original, as: file, normal: normal)
    }

    /// A drop already in normal form is stored byte for byte as it came (ingest does not rewrite it). A
    /// group's normal form is what its drop leaves in several files, not a drop.
    @Test(arguments: DropCorpusTests.goodCases)
    func normalFormIsStoredUnchanged(file: String) throws {
        guard !Spool.isGroupDocument(try SpoolFiles.read("\(DropCorpusTests.fixtures)/good/\(file)")) else { return }
        let normal = try SpoolFiles.read("\(DropCorpusTests.fixtures)/normal/\(file)")
        try DropCorpusTests.expectStored(normal, as: file, normal: normal, generatesID: false)
    }

    @Test(arguments: GeneratedDrop.all)
    func generatedDrop(_ drop: GeneratedDrop) throws {
        let bytes = drop.bytes()
        switch drop.expectation {
        case .rejected(let reason):
            try DropCorpusTests.expectRejected(bytes, as: drop.file, reason: reason, limit: drop.limit)
        case .stored(let normal):
            try DropCorpusTests.expectStored(bytes, as: drop.file, normal: normal(), limit: drop.limit)
        }
    }

    // MARK: - Checks

    /// Ingests `bytes` dropped as `name` and expects them in `rejected/<name>`, unchanged, with `reason`
    /// in `rejected/<name>.reason`, and nothing left anywhere else.
    static func expectRejected(
        _ bytes: [UInt8],
        as name: String,
        reason: String,
        limit: Int? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(configuration: configuration(limit), clock: ManualClock())
            try SpoolFiles.write(bytes, to: "\(directory.path)/incoming/\(name)")
            let outcome = try spool.ingest(name)
            #expect(outcome == .rejected(name: name, reason: reason), sourceLocation: sourceLocation)
            #expect(!reason.utf8.contains(0x0A), "a reason is one line", sourceLocation: sourceLocation)
            #expect(try SpoolFiles.read("\(directory.path)/rejected/\(name)") == bytes, sourceLocation: sourceLocation)
            let written = try SpoolFiles.read("\(directory.path)/rejected/\(name).reason")
            #expect(written == Array((reason + "\n").utf8), sourceLocation: sourceLocation)
            DeferredUnlink.waitUntilIdle()  // the old content of each rewrite
            for folder in ["incoming", "tmp", "active", "scheduled", "ids"] {
                #expect(SpoolFiles.files(under: "\(directory.path)/\(folder)").isEmpty, sourceLocation: sourceLocation)
            }
        }
    }

    /// Ingests `bytes` dropped as `name` and expects one task file, in `active/` or `scheduled/`, holding
    /// exactly `normal` (where an id Spool generates, when `generatesID`, stands as ``generatedID``), and
    /// nothing left anywhere else; a group drop as ``expectGroupStored(_:in:spool:normal:sourceLocation:)``
    /// says.
    static func expectStored(
        _ bytes: [UInt8],
        as name: String,
        normal: [UInt8],
        limit: Int? = nil,
        generatesID: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(configuration: configuration(limit), clock: ManualClock())
            try SpoolFiles.write(bytes, to: "\(directory.path)/incoming/\(name)")
            let outcome = try spool.ingest(name)
            guard case .accepted(let id, let queue) = outcome else {
                Issue.record("not accepted: \(outcome)", sourceLocation: sourceLocation)
                return
            }
            if queue == "groups" {
                try expectGroupStored(id, in: directory, spool: spool, normal: normal, sourceLocation: sourceLocation)
                return
            }
            let stored =
                SpoolFiles.files(under: "\(directory.path)/active").map { "active/\($0)" }
                + SpoolFiles.files(under: "\(directory.path)/scheduled").map { "scheduled/\($0)" }
            try #require(stored.count == 1, "one task file, not \(stored)", sourceLocation: sourceLocation)
            #expect(stored[0].hasPrefix("active/\(queue)/") || stored[0].hasPrefix("scheduled/\(queue)/"))
            #expect(stored[0].hasSuffix(".\(id).json"), sourceLocation: sourceLocation)
            var content = try SpoolFiles.read("\(directory.path)/\(stored[0])")
            if generatesID {
                if normal.starts(with: Array("{\"id\":\"\(generatedID)\"".utf8)) {
                    #expect(isGeneratedULID(id), "\(id) is not a ULID made at \(now)", sourceLocation: sourceLocation)
                }
                content = replacingGeneratedIDs(in: content)
            }
            #expect(
                content == normal,
                "stored \(String(decoding: content.prefix(2000), as: UTF8.self))",
                sourceLocation: sourceLocation
            )
            DeferredUnlink.waitUntilIdle()  // the old content of each rewrite
            for folder in ["incoming", "tmp", "rejected"] {
                #expect(SpoolFiles.files(under: "\(directory.path)/\(folder)").isEmpty, sourceLocation: sourceLocation)
            }
        }
    }

    /// The default configuration, or one with the drop size limit `limit`.
    private static func configuration(_ limit: Int?) -> SpoolConfiguration {
        limit.map { SpoolConfiguration(maximumTaskBytes: $0) } ?? SpoolConfiguration()
    }

    /// Whether `id` is a ULID Spool generated at ``now``: 26 Crockford base32 characters, the first ten the
    /// time.
    static func isGeneratedULID(_ id: String) -> Bool {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
        var time = UInt64(now.milliseconds)
        var prefix = [UInt8](repeating: 0, count: 10)
        for position in stride(from: 9, through: 0, by: -1) {
            prefix[position] = alphabet[Int(time & 31)]
            time >>= 5
        }
        let bytes = Array(id.utf8)
        return bytes.count == 26 && bytes.starts(with: prefix) && bytes.allSatisfy(alphabet.contains)
    }

    // MARK: - Drops beyond single files

    @Test func oversizedDropIsRejectedByItsSize() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(maximumTaskBytes: 1000))
            let big = "{\"type\":\"t\",\"payload\":\"" + String(repeating: "x", count: 2000) + "\"}"
            try SpoolFiles.write(big, to: "\(directory.path)/incoming/big.json")
            let outcome = try spool.ingest("big.json")
            #expect(outcome == .rejected(name: "big.json", reason: "too large: \(big.utf8.count) bytes (limit 1000)"))
            #expect(try SpoolFiles.read("\(directory.path)/rejected/big.json") == Array(big.utf8))
        }
    }

    @Test func duplicateIdIsRejectedAndFirstKept() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write("{\"type\":\"t\",\"id\":\"order-1\"}", to: "\(directory.path)/incoming/a.json")
            try SpoolFiles.write("{\"type\":\"u\",\"\\u0069d\":\"order-1\"}", to: "\(directory.path)/incoming/b.json")
            #expect(try spool.ingest("a.json") == .accepted(id: "order-1", queue: "default"))
            #expect(
                try spool.ingest("b.json") == .rejected(name: "b.json", reason: "id: \"order-1\" is already in use")
            )
            #expect(try spool.record(at: #require(spool.find(id: "order-1"))).type == "t")
        }
    }

    /// Found by the task fuzzer: a drop with a `created_at` after the latest due time and no `run_at` was
    /// accepted, but ingest gave it that `created_at` as its `run_at`, which no read accepts, so the task
    /// could never run. FORMAT.md says `run_at` defaults to the acceptance time.
    @Test func acceptedDropCanBeReadBack() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(clock: ManualClock())
            try SpoolFiles.write(
                "{\"type\":\"t\",\"id\":\"late\",\"created_at\":\"4052-11-21T10:00:30Z\"}",
                to: "\(directory.path)/incoming/late.json"
            )
            #expect(try spool.ingest("late.json") == .accepted(id: "late", queue: "default"))
            let location = try #require(spool.find(id: "late"))
            // A drop with no run_at is due when it is accepted, whatever created_at it carries.
            #expect(try spool.record(at: location).runAt == ManualClock().now)
        }
    }

    @Test func sameNameRejectedTwiceKeepsBoth() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            for content in ["not json", "[1]"] {
                try SpoolFiles.write(content, to: "\(directory.path)/incoming/x.json")
                _ = try spool.ingest("x.json")
            }
            let names = SpoolFiles.names("\(directory.path)/rejected")
            #expect(names.count == 4)
            #expect(names.filter { $0.hasSuffix(".reason") }.count == 2)
        }
    }
}
