import SpoolCore
import SpoolTestSupport
import Testing

/// `spoolctl purge` and `spoolctl rejected` as an operator runs them.
@Suite struct PurgeRejectedTests {
    /// Sets the modification time of `path` to `seconds` ago.
    private func age(_ path: String, by seconds: Int) throws {
        let then = Int(SystemClock().now.milliseconds / 1000) - seconds
        #expect(try ChildProcess.run("/usr/bin/env", ["touch", "-m", "-d", "@\(then)", path]).status == 0)
    }

    @Test func purgeDeletesFinishedTasksByAgeStateAndQueueWithTheirReservations() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            for (id, queue) in [("old-done", "default"), ("new-done", "default"), ("old-dead", "default")] {
                try spool.enqueue(NewTask(id: id, queue: queue, type: "t", key: "key-\(id)"))
            }
            try spool.enqueue(NewTask(id: "other-queue", queue: "mail", type: "t"))
            while let task = try spool.claimNext() {
                if task.record.id == "old-dead" {
                    try spool.fail(task, error: "no", permanent: true)
                } else {
                    try spool.complete(task, result: .bool(true))
                }
            }
            let mail = try #require(try spool.claimNext(queue: "mail"))
            try spool.complete(mail, result: .bool(true))
            try spool.enqueue(NewTask(id: "pending", type: "t"))
            for id in ["old-done", "old-dead"] {
                try age("\(directory.path)/\(#require(spool.find(id: id)).path)", by: 3 * 86_400)
            }
            func spoolctl(_ arguments: String...) throws -> (status: Int32, output: String, error: String) {
                try ChildProcess.run("spoolctl", ["--spool", directory.path] + arguments)
            }

            #expect(
                try spoolctl("purge") == (
                    64, "", "spoolctl: give --older-than, or --all to purge every finished task\n"
                )
            )
            #expect(try spoolctl("purge", "--all", "--older-than", "1d").status == 64)
            #expect(try spoolctl("purge", "--older-than", "soon").status == 64)
            #expect(try spoolctl("purge", "--state", "active", "--all").status == 64)

            #expect(
                try spoolctl("purge", "--older-than", "2d", "--dry-run") == (0, "would purge 2 finished tasks\n", "")
            )
            #expect(spool.find(id: "old-done") != nil, "a dry run deletes nothing")

            let done = try spoolctl("--json", "purge", "--older-than", "2d", "--state", "done")
            #expect(done.status == 0)
            let report = try JSONParser.parse(Array(done.output.utf8))
            #expect(report["matched"] == .integer(1) && report["deleted"] == .integer(1))
            #expect(spool.find(id: "old-done") == nil && spool.tasks(withKey: "key-old-done").isEmpty)
            #expect(spool.find(id: "old-dead")?.state == .dead && spool.find(id: "new-done")?.state == .done)
            // Its id is free again, as after the janitor's purge.
            try spool.enqueue(NewTask(id: "old-done", type: "t"))

            #expect(try spoolctl("purge", "--all", "--queue", "default") == (0, "purged 2 finished tasks\n", ""))
            #expect(spool.find(id: "new-done") == nil && spool.find(id: "old-dead") == nil)
            #expect(spool.find(id: "other-queue")?.state == .done, "another queue")
            #expect(spool.find(id: "pending")?.state == .active && spool.find(id: "old-done")?.state == .active)
            #expect(SpoolFiles.names("\(directory.path)/done/default").isEmpty, "emptied folders go")
            #expect(SpoolFiles.names("\(directory.path)/ids").sorted() == ["old-done", "other-queue", "pending"])
        }
    }

    @Test func rejectedFilesAreListedWithTheirReasonsAndResubmittedOnceFixed() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write(#"{"type":""}"#, to: "\(directory.path)/incoming/bad.json")
            try SpoolFiles.write("not json", to: "\(directory.path)/incoming/worse.json")
            for name in ["bad.json", "worse.json"] { _ = try spool.ingest(name) }
            func spoolctl(_ arguments: String...) throws -> (status: Int32, output: String, error: String) {
                try ChildProcess.run("spoolctl", ["--spool", directory.path] + arguments)
            }

            let listed = try spoolctl("--json", "rejected")
            #expect(listed.status == 0)
            let lines = try listed.output.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
            #expect(Set(lines.compactMap { $0["name"]?.stringValue }) == ["bad.json", "worse.json"])
            #expect(lines.allSatisfy { $0["reason"]?.stringValue?.isEmpty == false })
            let table = try spoolctl("rejected", "list", "--limit", "1")
            #expect(table.status == 0 && table.output.split(separator: "\n").count == 2)
            #expect(table.error == "spoolctl: more rejected files than --limit 1\n")

            try SpoolFiles.write(#"{"id":"fixed-1","type":"t"}"#, to: "\(directory.path)/rejected/bad.json")
            #expect(
                try spoolctl("rejected", "resubmit", "bad.json") == (0, "bad.json accepted as fixed-1 in default\n", "")
            )
            #expect(spool.find(id: "fixed-1")?.state == .active)
            let again = try spoolctl("rejected", "resubmit", "worse.json", "nope.json", "../spool.yaml")
            #expect(again.status == 1)
            #expect(again.output.hasPrefix("worse.json rejected again as worse.json: "))
            #expect(
                again.error
                    == "spoolctl: no rejected file \"nope.json\"\nspoolctl: no rejected file \"../spool.yaml\"\n"
            )
            #expect(SpoolFiles.names("\(directory.path)/rejected").sorted() == ["worse.json", "worse.json.reason"])
            #expect(SpoolFiles.names("\(directory.path)/incoming").isEmpty)
            #expect(try spoolctl("rejected", "resubmit").status == 64)
        }
    }
}
