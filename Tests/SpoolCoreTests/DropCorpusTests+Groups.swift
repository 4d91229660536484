import SpoolCore
import SpoolTestSupport
import Testing

extension DropCorpusTests {
    /// What the worker name in a group's manifest (`created_by`) stands as in a normal form.
    static let workerPlaceholder = "WORKER"

    /// Expects group `id`, just ingested, as its drop's normal form `normal` says: `group.json` (with
    /// `created_by` as ``workerPlaceholder``), then the file of each member in member order, each waiting in
    /// its queue, then `callback.json` when the group has a callback; with ``generatedID`` in place of every
    /// id Spool generated. Nothing else is left in the group's folder.
    static func expectGroupStored(
        _ id: String,
        in directory: TemporarySpool,
        spool: Spool,
        normal: [UInt8],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let folder = "\(directory.path)/groups/\(id)"
        let manifest = String(decoding: try SpoolFiles.read("\(folder)/group.json"), as: UTF8.self)
        let worker = "\"created_by\":\"\(spool.worker)\""
        #expect(manifest.contains(worker), sourceLocation: sourceLocation)
        var content = Array(
            manifest.split(separator: worker, omittingEmptySubsequences: false)
                .joined(separator: "\"created_by\":\"\(workerPlaceholder)\"").utf8
        )
        for member in try spool.group(id: id).manifest.members {
            let location = try #require(spool.find(id: member), sourceLocation: sourceLocation)
            #expect(location.state == .active || location.state == .scheduled, sourceLocation: sourceLocation)
            content += try SpoolFiles.read("\(directory.path)/\(location.path)")
        }
        let names = Set(SpoolFiles.names(folder))
        if names.contains("callback.json") { content += try SpoolFiles.read("\(folder)/callback.json") }
        #expect(names.isSubset(of: ["group.json", "callback.json"]), "\(names)", sourceLocation: sourceLocation)
        content = replacingGeneratedIDs(in: content)
        #expect(
            content == normal,
            "stored \(String(decoding: content.prefix(2000), as: UTF8.self))",
            sourceLocation: sourceLocation
        )
    }

    /// `content` with every JSON string that is a ULID Spool generated at ``now`` (a task's, a workflow
    /// step's, a group member's) written ``generatedID``.
    static func replacingGeneratedIDs(in content: [UInt8]) -> [UInt8] {
        let quote = UInt8(ascii: "\"")
        var result: [UInt8] = []
        result.reserveCapacity(content.count)
        var index = 0
        while index < content.count {
            let end = index + 27
            if content[index] == quote, end < content.count, content[end] == quote,
                isGeneratedULID(String(decoding: content[(index + 1)..<end], as: UTF8.self))
            {
                result += [quote] + Array(generatedID.utf8) + [quote]
                index = end + 1
            } else {
                result.append(content[index])
                index += 1
            }
        }
        return result
    }
}
