import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The drop box against the corpus in `Fixtures/drops/`: every bad drop ends in `rejected/` unchanged, with
/// the reason its line in `EXPECTED.tsv` gives; every good drop is accepted.
@Suite struct DropCorpusTests {
    static let fixtures =
        String(#filePath).split(separator: "/").dropLast().map { "/\($0)" }.joined() + "/Fixtures/drops"

    static var badCases: [(String, String)] {
        let text = String(decoding: (try? SpoolFiles.read("\(fixtures)/bad/EXPECTED.tsv")) ?? [], as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", maxSplits: 1)
            return fields.count == 2 ? (String(fields[0]), String(fields[1])) : nil
        }
    }

    @Test func corpusIsLarge() {
        #expect(DropCorpusTests.badCases.count >= 30)
        #expect(SpoolFiles.names("\(DropCorpusTests.fixtures)/bad").count == DropCorpusTests.badCases.count + 1)
    }

    @Test(arguments: DropCorpusTests.badCases)
    func badDropIsRejectedUnchanged(file: String, reasonPrefix: String) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let original = try SpoolFiles.read("\(DropCorpusTests.fixtures)/bad/\(file)")
            try SpoolFiles.write(original, to: "\(directory.path)/incoming/\(file)")
            let outcome = try spool.ingest(file)
            guard case .rejected(let name, let reason) = outcome else {
                Issue.record("\(file) was not rejected: \(outcome)")
                return
            }
            #expect(reason.hasPrefix(reasonPrefix), "\(file): \(reason)")
            #expect(try SpoolFiles.read("\(directory.path)/rejected/\(name)") == original)
            let written = String(
                decoding: try SpoolFiles.read("\(directory.path)/rejected/\(name).reason"),
                as: UTF8.self
            )
            #expect(written == reason + "\n")
            #expect(SpoolFiles.names("\(directory.path)/incoming").isEmpty)
            DeferredUnlink.waitUntilIdle()  // the old content of each rewrite
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
            #expect(SpoolFiles.names("\(directory.path)/active").isEmpty)
        }
    }

    @Test(arguments: SpoolFiles.names("\(DropCorpusTests.fixtures)/good"))
    func goodDropIsAccepted(file: String) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let original = try SpoolFiles.read("\(DropCorpusTests.fixtures)/good/\(file)")
            try SpoolFiles.write(original, to: "\(directory.path)/incoming/\(file)")
            let outcome = try spool.ingest(file)
            guard case .accepted(let id, _) = outcome else {
                Issue.record("\(file) was not accepted: \(outcome)")
                return
            }
            let location = try #require(spool.find(id: id))
            let record = try spool.record(at: location)
            let source = try JSONParser.parse(original)
            #expect(record.payload == (source["payload"] ?? .null), "payload must be kept exactly")
            for member in source.objectValue ?? [] where record.extra.contains(where: { $0.key == member.key }) {
                #expect(record.extra.first { $0.key == member.key }?.value == member.value)
            }
            DeferredUnlink.waitUntilIdle()  // the old content of each rewrite
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func symbolicLinkIsRejected() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write("{\"type\":\"t\"}", to: "\(directory.path)/target.json")
            #expect(symlink("\(directory.path)/target.json", "\(directory.path)/incoming/link.json") == 0)
            let outcome = try spool.ingest("link.json")
            #expect(outcome == .rejected(name: "link.json", reason: "not a regular file: symbolic link"))
            #expect(SpoolFiles.names("\(directory.path)/rejected") == ["link.json", "link.json.reason"])
        }
    }

    @Test func fifoIsRejectedWithoutBlocking() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect(mkfifo("\(directory.path)/incoming/pipe.json", 0o644) == 0)
            let outcome = try spool.ingest("pipe.json")
            #expect(outcome == .rejected(name: "pipe.json", reason: "not a regular file: fifo"))
        }
    }

    @Test func directoryIsRejected() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.makeDirectory("\(directory.path)/incoming/folder.json")
            let outcome = try spool.ingest("folder.json")
            #expect(outcome == .rejected(name: "folder.json", reason: "not a regular file: directory"))
        }
    }

    @Test func oversizedDropIsRejected() throws {
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
            try SpoolFiles.write("{\"type\":\"u\",\"id\":\"order-1\"}", to: "\(directory.path)/incoming/b.json")
            #expect(try spool.ingest("a.json") == .accepted(id: "order-1", queue: "default"))
            #expect(
                try spool.ingest("b.json") == .rejected(name: "b.json", reason: "id: \"order-1\" is already in use")
            )
            #expect(try spool.record(at: #require(spool.find(id: "order-1"))).type == "t")
        }
    }

    @Test func sameNameRejectedTwiceKeepsBoth() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            for content in ["not json", "[1]"] {
                try SpoolFiles.write(content, to: "\(directory.path)/incoming/x.json")
                _ = try spool.ingest("x.json")
            }
            #expect(SpoolFiles.names("\(directory.path)/rejected").count == 4)
        }
    }

    @Test func hiddenAndNonJSONNamesAreLeftAlone() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write("{\"type\":\"t\"}", to: "\(directory.path)/incoming/.partial.json")
            try SpoolFiles.write("{\"type\":\"t\"}", to: "\(directory.path)/incoming/task.tmp")
            #expect(try spool.ingest(".partial.json") == .skipped)
            #expect(try spool.ingest("task.tmp") == .skipped)
            #expect(try spool.ingest("missing.json") == .skipped)
            #expect(SpoolFiles.names("\(directory.path)/incoming") == [".partial.json", "task.tmp"])
        }
    }
}
