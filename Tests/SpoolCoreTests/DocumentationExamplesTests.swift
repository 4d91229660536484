import SpoolCore
import SpoolTestSupport
import Testing

/// Every example in `docs/FORMAT.md` holds against the code: ```json task blocks are accepted tasks (or
/// chain documents), ```json group blocks accepted groups, ```json invalid <reason> blocks are refused with
/// that reason, and the ```sh producer block, run for real, leaves a drop the spool accepts.
@Suite struct DocumentationExamplesTests {
    static let repository = String(#filePath).split(separator: "/").dropLast(3).map { "/\($0)" }.joined()

    struct Block: CustomTestStringConvertible, Sendable {
        var info: String
        var body: String
        var testDescription: String { "\(info): \(body.prefix(40))" }
    }

    static var blocks: [Block] {
        let text = String(decoding: (try? SpoolFiles.read("\(repository)/docs/FORMAT.md")) ?? [], as: UTF8.self)
        var blocks: [Block] = []
        var current: Block?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let block = current {
                    blocks.append(block)
                    current = nil
                } else {
                    current = Block(info: String(line.dropFirst(3)), body: "")
                }
            } else if current != nil {
                current!.body += line + "\n"
            }
        }
        return blocks
    }

    @Test func documentHasExamplesOfEveryKind() {
        let infos = DocumentationExamplesTests.blocks.map(\.info)
        #expect(infos.filter { $0 == "json task" }.count >= 3)
        #expect(infos.contains { $0.hasPrefix("json invalid ") })
        #expect(infos.contains("sh producer"))
        #expect(infos.contains("json group"))
    }

    @Test(
        arguments: DocumentationExamplesTests.blocks.filter {
            $0.info == "json task" || $0.info.hasPrefix("json invalid ")
        }
    )
    func jsonExampleMatchesTheParser(block: Block) throws {
        let now = Timestamp(rfc3339: "2026-03-02T09:00:00Z")!
        let parsed = Result { try TaskRecord.parse(Array(block.body.utf8), now: now, makeID: { "generated" }) }
        if block.info == "json task" {
            let record = try parsed.get()
            // What Spool writes reads back as the same task.
            #expect(try TaskRecord.parse(record.encoded, now: now, makeID: { "other" }) == record)
        } else {
            let prefix = String(block.info.dropFirst("json invalid ".count))
            guard case .failure(let error as TaskValidationError) = parsed else {
                Issue.record("an invalid example was accepted: \(block.body)")
                return
            }
            #expect(error.reason.hasPrefix(prefix), "\(error.reason)")
        }
    }

    @Test(arguments: DocumentationExamplesTests.blocks.filter { $0.info == "json group" })
    func groupExampleIsAccepted(block: Block) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let bytes = Array(block.body.utf8)
            #expect(Spool.isGroupDocument(bytes))
            let receipt = try spool.enqueue(groupDocument: bytes)
            #expect(try spool.group(id: receipt.id).members.count == receipt.members.count)
        }
    }

    @Test func shellProducerExampleWorks() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let script = try #require(DocumentationExamplesTests.blocks.first { $0.info == "sh producer" }).body
            let result = try ChildProcess.run("/bin/sh", ["-c", script], environment: ["SPOOL": directory.path])
            #expect(result.status == 0, "\(result.error)")
            #expect(try spool.pendingDrops() == ["hello.json"])
            guard case .accepted(let id, _) = try spool.ingest("hello.json") else {
                Issue.record("the documented drop was not accepted")
                return
            }
            #expect(try spool.record(at: #require(spool.find(id: id))).type == "email.send")
        }
    }
}
