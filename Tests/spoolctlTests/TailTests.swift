import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `spoolctl tail` follows tasks through their states as a daemon moves them.
@Suite struct TailTests {
    @Test func eachMoveIsOneLineAsItHappens() async throws {
        try await TemporarySpool.with { directory in
            try writeScript(
                "\(directory.path)/handler.sh",
                #"cat >/dev/null; case "$SPOOL_TASK_ID" in fails*) exit 1;; esac"#
            )
            try SpoolFiles.write(
                """
                handlers: {run: {exec: ["\(directory.path)/handler.sh"]}}
                routes: {t: run}
                max_attempts: 1
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            // Tasks done and dead before tail starts: the worker's and the finished folders exist.
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            try spool.enqueue(NewTask(id: "before", queue: "q", type: "t"))
            try spool.enqueue(NewTask(id: "fails", queue: "q", type: "t"))
            #expect(
                await eventually { spool.find(id: "before")?.state == .done && spool.find(id: "fails")?.state == .dead }
            )
            let tail = try ChildProcess(
                "spoolctl",
                ["--spool", directory.path, "--json", "tail", "--queue", "q", "--count", "6", "--timeout", "30"]
            )
            let other = try ChildProcess(
                "spoolctl",
                ["--spool", directory.path, "tail", "--state", "rejected", "--count", "1", "--timeout", "30"]
            )
            try await Task.sleep(for: .milliseconds(500))
            try spool.enqueue(NewTask(id: "works", queue: "q", type: "t"))
            try spool.enqueue(NewTask(id: "fails-too", queue: "q", type: "t"))
            try spool.enqueue(NewTask(id: "elsewhere", queue: "other", type: "t"))
            try SpoolFiles.write("not json", to: "\(directory.path)/incoming/bad.json")
            #expect(await tail.wait() == 0)
            #expect(await other.wait() == 0)
            daemon.send(SIGTERM)
            _ = await daemon.wait()

            let lines = try jsonLines(tail.output)
            func states(_ id: String) -> [String] {
                lines.filter { $0["id"] == .string(id) }.compactMap { $0["state"]?.stringValue }
            }
            #expect(states("works") == ["active", "running", "done"], "\(tail.output)")
            #expect(states("fails-too") == ["active", "running", "dead"])
            #expect(states("before").isEmpty && states("fails").isEmpty, "what happened before is not shown")
            #expect(lines.allSatisfy { $0["queue"] == .string("q") && $0["at"] != nil })
            #expect(other.output.hasSuffix("  rejected  -  bad.json\n"), "\(other.output)")

            let bad = try ChildProcess.run("spoolctl", ["--spool", directory.path, "tail", "--state", "lost"])
            #expect(bad.status == 64)
        }
    }
}
