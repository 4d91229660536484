import SpoolCore
import SpoolTestSupport
import Testing

/// Progress bars: on a terminal (a pseudo-terminal made by script(1)) for bulk work, never when piped.
@Suite struct ProgressTests {
    @Test func bulkWorkShowsABarOnATerminalOnly() throws {
        try TemporarySpool.with { directory in
            _ = try directory.open()
            let file = "\(directory.path)/tasks.jsonl"
            try SpoolFiles.write(String(repeating: #"{"type":"t","queue":"q"}"# + "\n", count: 600), to: file)
            let spoolctl = "\(ChildProcess.buildFolder)/spoolctl --spool \(directory.path)"
            func onTerminal(_ command: String) throws -> String {
                let run = try ChildProcess.run(
                    "/usr/bin/script",
                    ["-qec", "\(spoolctl) \(command) >/dev/null", "/dev/null"]
                )
                #expect(run.status == 0, "\(command): \(run.output)")
                return run.output
            }
            let enqueued = try onTerminal("enqueue --file \(file)")
            #expect(enqueued.contains("enqueuing [=============================="), "\(enqueued)")
            #expect(enqueued.contains("600/600 100%"))
            let cancelled = try onTerminal("cancel --queue q --all")
            #expect(cancelled.contains("cancelling [") && cancelled.contains("600/600 100%"))
            let checked = try onTerminal("fsck --dry-run")
            #expect(checked.contains("checking [") && checked.contains("/s"))

            let piped = try ChildProcess.run("spoolctl", ["--spool", directory.path, "purge", "--all"])
            #expect(piped.status == 0 && piped.error.isEmpty, "no bar when standard error is not a terminal")
        }
    }
}
