import SpoolCore
import SpoolTestSupport
import Testing

/// `spoolctl list` with its filters, order, limit and columns, as an operator finds 12 failures among many.
@Suite struct ListTests {
    @Test func filtersOrderLimitAndColumns() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let now = spool.clock.now
            let payload = JSONValue.object([JSONMember("customer", .object([JSONMember("id", .integer(42))]))])
            try spool.enqueue(NewTask(id: "due-email", type: "email", payload: payload))
            try spool.enqueue(NewTask(id: "soon-sms", type: "sms", runAt: now.adding(seconds: 7200)))
            try spool.enqueue(NewTask(id: "later-email", type: "email", runAt: now.adding(seconds: 86_400)))
            try spool.enqueue(NewTask(id: "ok", queue: "other", type: "email"))
            try spool.enqueue(NewTask(id: "bad", queue: "other", type: "sms"))
            while let task = try spool.claimNext(queue: "other") {
                if task.record.id == "ok" {
                    try spool.complete(task, result: .bool(true))
                } else {
                    try spool.fail(task, error: "connection refused", permanent: true)
                }
            }
            func list(_ arguments: String...) throws -> (status: Int32, output: String, error: String) {
                try ChildProcess.run("spoolctl", ["--spool", directory.path, "list"] + arguments)
            }
            func ids(_ arguments: String...) throws -> [String] {
                let result = try ChildProcess.run(
                    "spoolctl",
                    ["--spool", directory.path, "--json", "list"] + arguments
                )
                #expect(result.status == 0, "\(arguments): \(result.error)")
                return try jsonLines(result.output).compactMap { $0["id"]?.stringValue }
            }

            // Waiting ones by due, then finished ones: done kept 7 days, dead 30, so the dead one's retention ends last.
            #expect(try ids() == ["due-email", "soon-sms", "later-email", "ok", "bad"])
            #expect(try ids("--newest") == ["bad", "ok", "later-email", "soon-sms", "due-email"])
            #expect(try ids("--type", "email") == ["due-email", "later-email", "ok"])
            #expect(try ids("--error", "refused") == ["bad"])
            #expect(try ids("--where", "customer.id=42") == ["due-email"])
            #expect(try ids("--where", "customer.id=\"42\"").isEmpty, "a JSON string is not the number")
            #expect(try ids("--due-after", "+1h", "--due-before", "+3h") == ["soon-sms"])
            #expect(try ids("--finished-after", "1h").sorted() == ["bad", "ok"])
            #expect(try ids("--created-before=-1h").isEmpty)
            #expect(try ids("--state", "done", "--state", "dead", "--queue", "other").sorted() == ["bad", "ok"])

            let limited = try list("--limit", "2")
            #expect(limited.status == 0 && limited.error == "spoolctl: more tasks match than --limit 2\n")
            #expect(limited.output.split(separator: "\n").count == 3, "a header and two rows")
            #expect(
                limited.output.hasPrefix(
                    "ID         QUEUE    STATE      DUE/FINISHED              TYPE   ATTEMPTS  LAST ERROR\n"
                )
            )
            let dead = try list("--state", "dead")
            #expect(
                dead.output.contains("bad  other  dead")
                    && dead.output.hasSuffix("sms   1         permanent failure: connection refused\n")
            )
            let json = try jsonLines(
                ChildProcess.run("spoolctl", ["--spool", directory.path, "--json", "list", "--state", "dead"]).output
            )
            #expect(json.first?["type"] == .string("sms") && json.first?["attempts"] == .integer(1))
            #expect(
                json.first?["last_error"] == .string("permanent failure: connection refused")
                    && json.first?["finished_at"] != nil
            )

            for bad in [
                ["--where", "nofield"], ["--where", "=1"], ["--due-after", "soon"], ["--limit", "0"],
                ["--state", "lost"],
            ] {
                let result = try ChildProcess.run("spoolctl", ["--spool", directory.path, "list"] + bad)
                #expect(result.status == 64, "\(bad)")
                #expect(
                    result.error.hasPrefix("spoolctl: ") || result.error.contains("Error:"),
                    "\(bad): \(result.error)"
                )
            }
        }
    }
}
