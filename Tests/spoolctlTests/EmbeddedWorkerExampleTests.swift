import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `examples/embedded-worker`, an app running Swift handlers with hooks, run as its users would.
@Suite(.timeLimit(.minutes(1))) struct EmbeddedWorkerExampleTests {
    /// The `spoolctl` line in the example's header comment, run as written.
    @Test func theSpoolctlLineInTheExampleWorks() throws {
        try TemporarySpool.with { directory in
            let source = try SpoolFiles.read("\(repositoryRoot)/examples/embedded-worker/main.swift")
            let line = try #require(
                String(decoding: source, as: UTF8.self).split(separator: "\n").first { $0.contains("spoolctl --spool") }
            )
            let command = line.drop { $0 != "s" }.replacingSpool(with: directory.path)
            let shell = try ChildProcess.run("/bin/sh", ["-c", "PATH=\(ChildProcess.buildFolder):$PATH " + command])
            #expect(shell.status == 0, "\(command): \(shell.error)")
            let id = shell.output.split(separator: "\n").first.map(String.init) ?? ""
            let spool = try directory.open()
            #expect(try spool.record(at: #require(spool.find(id: id))).type == "thumbnail")
        }
    }

    @Test func swiftHandlersRunWithTypedPayloadsAndRetries() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let thumbnail = try spool.enqueue(
                NewTask(
                    type: "thumbnail",
                    payload: .object([JSONMember("path", .string("cat.jpg")), JSONMember("width", .integer(320))])
                )
            )
            let refused = try spool.enqueue(
                NewTask(
                    type: "thumbnail",
                    payload: .object([JSONMember("path", .string("dog.jpg")), JSONMember("width", .integer(0))])
                )
            )
            let flaky = try spool.enqueue(NewTask(type: "flaky"))
            let worker = try ChildProcess("spool-example-worker", [directory.path])
            #expect(
                await eventually {
                    [thumbnail, refused, flaky].allSatisfy { [.done, .dead].contains(spool.find(id: $0)?.state) }
                }
            )
            worker.send(SIGTERM)
            #expect(await worker.wait() == 0, "\(worker.errorOutput)")
            #expect(
                try spool.record(at: #require(spool.find(id: thumbnail))).result
                    == .object([
                        JSONMember("bytes", .integer(12800)), JSONMember("path", .string("thumbs/320/cat.jpg")),
                    ])
            )
            #expect(spool.find(id: refused)?.state == .dead)
            #expect(
                try spool.record(at: #require(spool.find(id: refused))).stateReason
                    == "permanent failure: width must be positive"
            )
            let retried = try spool.record(at: #require(spool.find(id: flaky)))
            #expect(retried.result == .string("done on attempt 3"))
            #expect(retried.attempts.count == 2)
            #expect(worker.errorOutput.contains("attempt failed"), "the error hook logs each failed attempt")
        }
    }
}

extension Substring {
    /// The command with its `--spool spool` pointed at `path`.
    fileprivate func replacingSpool(with path: String) -> String {
        let parts = split(separator: " ", omittingEmptySubsequences: false)
        var result: [Substring] = []
        var index = parts.startIndex
        while index < parts.endIndex {
            result.append(parts[index])
            if parts[index] == "--spool", index + 1 < parts.endIndex {
                result.append(Substring(path))
                index += 2
                continue
            }
            index += 1
        }
        return result.joined(separator: " ")
    }
}
