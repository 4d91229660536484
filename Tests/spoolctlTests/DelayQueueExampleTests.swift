import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `examples/delay-queue`, the Redis time-wheel delay queue moved to Spool, run as its users would: its
/// `spool.yaml`, the demo's echo endpoint for their callbacks, and their old `curl -d` line.
@Suite(.timeLimit(.minutes(2))) struct DelayQueueExampleTests {
    @Test func theOldCurlLineSchedulesACallbackThatFiresAtItsPlanTimeAndIsRetriedByTheirTable() async throws {
        try await TemporarySpool.with { directory in
            let echoPort = freePort()
            let apiPort = freePort()
            let example = String(
                decoding: try SpoolFiles.read("\(repositoryRoot)/examples/delay-queue/spool.yaml"),
                as: UTF8.self
            )
            try SpoolFiles.write(
                example.replacing("127.0.0.1:8470", with: "127.0.0.1:\(apiPort)"),
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

            // The example's own curl line, with the test's ports.
            let line = try #require(example.split(separator: "\n").first { $0.contains("curl -s -d") })
            let command = String(line.drop { $0 != "c" })
                .replacing("127.0.0.1:8471", with: "127.0.0.1:\(echoPort)")
                .replacing("127.0.0.1:8470", with: "127.0.0.1:\(apiPort)")
            let saved = try ChildProcess.run("/bin/sh", ["-c", command])
            #expect(saved.status == 0, "\(saved.error)")
            let answer = try JSONParser.parse(Array(saved.output.utf8))
            #expect(answer["code"] == .integer(0) && answer["msg"] == .string("ok"), "\(saved.output)")
            let id = try #require(answer["data"]?["id"]?.stringValue)
            #expect(spool.find(id: id)?.state == .scheduled, "its plan_time is 5 s ahead")
            #expect(await eventually(within: 20) { spool.find(id: id)?.state == .done })
            let done = try spool.record(at: #require(spool.find(id: id)))
            #expect(done.result?["status"] == .integer(200))
            #expect(done.result?["body"]?["method"] == .string("POST"))
            #expect(done.result?["body"]?["body"] == .string("order_id=42&status=paid"), "\(done.result ?? .null)")

            // A callback that fails is retried after the first delay of their table, 5 s.
            let failing = try ChildProcess.run(
                "/usr/bin/env",
                [
                    "curl", "-s", "-d", "notify_url=http://127.0.0.1:\(echoPort)/status/500&method_name=get",
                    "http://127.0.0.1:\(apiPort)/api/task/save",
                ]
            )
            let failed = try #require(try JSONParser.parse(Array(failing.output.utf8))["data"]?["id"]?.stringValue)
            #expect(
                await eventually(within: 20) {
                    guard let location = spool.find(id: failed), location.state == .scheduled else { return false }
                    return (try? spool.record(at: location))?.attempts.count == 1
                }
            )
            let location = try #require(spool.find(id: failed))
            let record = try spool.record(at: location)
            let failedAt = try #require(record.attempts.first?.finishedAt)
            let wait = Double(try #require(location.due).milliseconds - failedAt.milliseconds) / 1000
            #expect(abs(wait - 5) < 0.5, "5 s after the first failure (\(wait) s)")
            #expect(record.maxAttempts == 7)
            spoold.send(SIGTERM)
            #expect(await spoold.wait() == 0)
        }
    }
}
