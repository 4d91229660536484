import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `examples/db-table`, a database task table moved to Spool, run as its users would: orders enqueued by
/// its script, settled by its handler (one after a failed attempt), found by order number, and gone once
/// their time has passed (the old nightly purge), seen by `spoold` with its clock 31 days ahead.
@Suite(.timeLimit(.minutes(2))) struct DBTableExampleTests {
    @Test func ordersAreSettledFoundByNumberAndDeletedWhenTheirTimeHasPassed() async throws {
        try await TemporarySpool.with { directory in
            let example = String(
                decoding: try SpoolFiles.read("\(repositoryRoot)/examples/db-table/spool.yaml"),
                as: UTF8.self
            )
            try SpoolFiles.write(
                example.replacing(
                    "exec: examples/db-table/settle.sh",
                    with: "exec: \(repositoryRoot)/examples/db-table/settle.sh"
                ),
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let environment = ["SPOOLCTL": "\(ChildProcess.buildFolder)/spoolctl"]
            // Order 42 fails its first attempt; order 44 is due only in 40 days.
            for (order, delay, fail) in [("42", "1", "1"), ("43", "1", "0"), ("44", "3456000", "0")] {
                let added = try ChildProcess.run(
                    "/bin/sh",
                    ["\(repositoryRoot)/examples/db-table/enqueue.sh", directory.path, order, delay, fail],
                    environment: environment
                )
                #expect(added.status == 0, "\(added.error)")
            }
            func show(_ order: String) throws -> JSONValue? {
                let shown = try ChildProcess.run(
                    "spoolctl",
                    ["--spool", directory.path, "--json", "show", "--key", "ORDER-\(order)"]
                )
                return shown.status == 0 ? try JSONParser.parse(Array(shown.output.utf8)) : nil
            }

            let daemon = try ChildProcess("spoold", ["--spool", directory.path, "--log-level", "warning"])
            #expect(await eventually(within: 30) { (try? show("42"))??["state"] == .string("done") })
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0, "\(daemon.errorOutput)")
            let order = try #require(try show("42")?["task"])
            #expect(order["max_attempts"] == .number("100"))
            #expect(order["attempts"]?.arrayValue?.count == 1, "one failed attempt, then settled")
            #expect(order["result"]?["settled"] == .bool(true))
            let now = SystemClock().now
            let deadline = try #require(order["deadline"]?.stringValue.flatMap { Timestamp(rfc3339: $0) })
            let deleteAt = try #require(order["delete_at"]?.stringValue.flatMap { Timestamp(rfc3339: $0) })
            #expect(abs(Double(deadline.milliseconds - now.milliseconds) / 1000 - 7 * 86400) < 120)
            #expect(abs(Double(deleteAt.milliseconds - now.milliseconds) / 1000 - 30 * 86400) < 120)
            #expect(try show("44")?["state"] == .string("scheduled"))

            // 31 days later: the settled orders have passed their retention, and order 44 its deadline and
            // its delete time while it waited. Nothing of them is left to purge by hand.
            // Two starts, as two nights: the first purges what ended before it and ends order 44 (past its
            // deadline, then its delete time), the second purges that.
            for _ in 0..<2 {
                let later = try fakedSpoold("+31d", "--spool", directory.path)
                // Started (its janitor's first pass is done), and order 44 no longer waits.
                #expect(await eventually(within: 30) { later.errorOutput.contains("spool open") })
                #expect(
                    await eventually(within: 30) {
                        spool.tasks(withKey: "ORDER-44").allSatisfy { $0.state != .scheduled }
                    }
                )
                stopFaked(later)
                #expect(await later.wait() == 0, "\(later.errorOutput)")
            }
            #expect(spool.tasks(withKey: "ORDER-42").isEmpty && spool.tasks(withKey: "ORDER-44").isEmpty)
            #expect(try show("43") == nil)
            #expect(spool.stats().queues.allSatisfy { counts in TaskState.allCases.allSatisfy { counts[$0] == 0 } })
        }
    }
}
