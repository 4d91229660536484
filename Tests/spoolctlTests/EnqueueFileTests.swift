import SpoolCore
import SpoolTestSupport
import Testing

/// `spoolctl enqueue --file`: many tasks in one call, from a file or standard input.
@Suite struct EnqueueFileTests {
    @Test func jsonLinesAreEnqueuedInBatchesAndABadLineIsNamed() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            func enqueue(_ input: String?, _ arguments: String...) throws -> (
                status: Int32, output: String, error: String
            ) {
                try ChildProcess.run("spoolctl", ["--spool", directory.path, "enqueue"] + arguments, input: input)
            }
            // 2,500 tasks: three batches, blank lines and CRLF endings allowed.
            var lines = (0..<2500).map { #"{"type":"t","queue":"bulk","payload":{"n":\#($0)}}"# }
            lines.insert("", at: 10)
            let many = try enqueue(lines.joined(separator: "\r\n") + "\n", "--file", "-")
            #expect(many.status == 0, "\(many.error)")
            let ids = many.output.split(separator: "\n").map(String.init)
            #expect(ids.count == 2500 && Set(ids).count == 2500)
            #expect(spool.stats().queues.first { $0.queue == "bulk" }?[.active] == 2500)
            #expect(try spool.record(at: #require(spool.find(id: ids[2499]))).payload["n"] == .integer(2499))

            // A file holding one task over several lines.
            try SpoolFiles.write("{\n  \"id\": \"pretty\",\n  \"type\": \"t\"\n}\n", to: "\(directory.path)/one.json")
            #expect(
                try enqueue(nil, "--json", "--file", "\(directory.path)/one.json") == (
                    0, #"{"id":"pretty"}"# + "\n", ""
                )
            )

            // A bad line stops the run, named by its number; the batches before it stay.
            var bad = (0..<1500).map { #"{"type":"t","queue":"partial","id":"p-\#($0)"}"# }
            bad[1200] = #"{"type":"t","queue":"Not A Queue"}"#
            let stopped = try enqueue(bad.joined(separator: "\n"), "--file", "-")
            #expect(stopped.status == 65)
            #expect(stopped.error.hasPrefix("spoolctl: line 1201: queue: "), "\(stopped.error)")
            #expect(stopped.error.hasSuffix(" (the 1000 tasks before its batch are enqueued)\n"))
            #expect(stopped.output.split(separator: "\n").count == 1000)
            #expect(spool.find(id: "p-999") != nil && spool.find(id: "p-1000") == nil)

            #expect(try enqueue(nil, "--file", "-", "--type", "t").status == 64)
            #expect(try enqueue(nil, "--file", "\(directory.path)/missing.jsonl").status == 2)
            #expect(try enqueue(nil).status == 64)
        }
    }
}
