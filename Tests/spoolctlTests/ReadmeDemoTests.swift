import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The README's demo: `spoold` with the embedded spool's `spool.yaml` and the demo's echo endpoint, and the
/// README's own `curl` line enqueuing over the API.
@Suite(.timeLimit(.minutes(2))) struct ReadmeDemoTests {
    @Test func theReadmeCurlLineEnqueuesATaskThatTheEchoEndpointRuns() async throws {
        try await TemporarySpool.with { directory in
            let echoPort = freePort()
            let apiPort = freePort()
            let demo = String(decoding: try SpoolFiles.read("\(repositoryRoot)/spool/spool.yaml"), as: UTF8.self)
            try SpoolFiles.write(
                demo.replacing("127.0.0.1:8470", with: "127.0.0.1:\(apiPort)")
                    .replacing("127.0.0.1:8471", with: "127.0.0.1:\(echoPort)"),
                to: "\(directory.path)/spool.yaml"
            )
            let echo = try ChildProcess(
                "/usr/bin/env",
                ["python3", "\(repositoryRoot)/examples/demo/echo-server.py", "\(echoPort)"]
            )
            defer { echo.send(SIGKILL) }
            let spoold = try ChildProcess("spoold", ["--spool", directory.path])
            defer { spoold.send(SIGKILL) }
            #expect(await waitForListener(port: echoPort))
            #expect(await waitForListener(port: apiPort))
            let spool = try directory.open()

            let readme = String(decoding: try SpoolFiles.read("\(repositoryRoot)/README.md"), as: UTF8.self)
            let line = try #require(
                readme.split(separator: "\n").first { $0.contains("curl -s localhost:8470/v1/tasks") }
            )
            let command = line.trimmingPrefix(while: \.isWhitespace).replacing(
                "localhost:8470",
                with: "127.0.0.1:\(apiPort)"
            )
            let run = try ChildProcess.run("/bin/sh", ["-c", String(command)])
            let answer = try JSONParser.parse(Array(run.output.utf8))
            #expect(answer["state"] == .string("active"), "\(run.output)")
            let id = try #require(answer["id"]?.stringValue)
            #expect(await eventually { spool.find(id: id)?.state == .done }, "\(spoold.errorOutput)")

            // The README's chain line: the word count, then the hook called with it.
            let chainLine = try #require(readme.split(separator: "\n").first { $0.contains(#"{"chain":"#) })
            let chainCommand = chainLine.trimmingPrefix(while: \.isWhitespace).replacing(
                ".build/debug/spoolctl enqueue",
                with: "\(ChildProcess.buildFolder)/spoolctl --spool \(directory.path) enqueue"
            )
            let chained = try ChildProcess.run("/bin/sh", ["-c", String(chainCommand)])
            #expect(chained.status == 0, "\(chained.error)")
            let first = chained.output.split(separator: "\n").first.map(String.init) ?? ""
            let steps = try spool.chain(id: first)
            #expect(steps.count == 2)
            #expect(await eventually { (try? spool.chain(id: first).map(\.state)) == [.done, .done] })
            let ping = try spool.record(at: try #require(spool.find(id: steps[1].id)))
            #expect(ping.payload["parent_result"]?["words"] == .integer(2), "\(ping.payload)")
            spoold.send(SIGTERM)
            #expect(await spoold.wait() == 0)
        }
    }
}
