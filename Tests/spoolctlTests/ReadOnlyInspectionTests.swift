import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// Inspecting a spool changes nothing in it, and a path that is not a spool is an error.
@Suite struct ReadOnlyInspectionTests {
    @Test(arguments: [["stats"], ["list"], ["show", "missing"], ["enqueue", "--type", "t"], ["pause", "q"]])
    func aPathThatIsNotASpoolIsAnErrorAndIsNotCreated(command: [String]) throws {
        try TemporarySpool.with { directory in
            let typo = "\(directory.path)/typo"
            let missing = try ChildProcess.run("spoolctl", ["--spool", typo] + command)
            #expect(missing.status == 66)
            #expect(missing.error == "spoolctl: not a spool: \(typo) does not exist\n")
            #expect(SpoolFiles.names(directory.path).isEmpty, "nothing was created")

            try SpoolFiles.makeDirectory("\(directory.path)/other")
            try SpoolFiles.write("keep\n", to: "\(directory.path)/other/notes.txt")
            let other = try ChildProcess.run("spoolctl", ["--spool", "\(directory.path)/other"] + command)
            #expect(other.status == 66)
            #expect(other.error.hasPrefix("spoolctl: not a spool: "))
            #expect(SpoolFiles.names("\(directory.path)/other") == ["notes.txt"])
        }
    }

    @Test func readingCommandsLeaveEveryNameAndTimeAsTheyWere() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let done = try spool.enqueue(NewTask(id: "d1", type: "t"))
            try spool.enqueue(NewTask(type: "t", delay: 3600))
            try spool.enqueue(NewTask(queue: "other", type: "t"))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let task = try #require(try spool.claim(name, queue: "default"))
            try spool.complete(task, result: .string("ok"))
            // A backup made before the spool had every folder it has today.
            for folder in ["paused", "ids", "incoming", "tmp"] {
                SpoolFiles.removeTree("\(directory.path)/\(folder)")
            }
            let before = snapshot(directory.path)
            for command in [
                ["stats"], ["list"], ["list", "--state", "done"], ["show", done], ["result", done],
                ["result", done, "--wait", "--timeout", "0"], ["--json", "stats"], ["inspect"], ["--json", "inspect"],
                ["list", "--type", "t", "--error", "x", "--finished-after", "1h", "--newest"], ["fsck", "--dry-run"],
                ["tail", "--timeout", "0.3"], ["cron", "list"], ["rejected"],
            ] {
                let result = try ChildProcess.run("spoolctl", ["--spool", directory.path] + command)
                #expect(result.status == 0, "\(command): \(result.error)")
            }
            #expect(snapshot(directory.path) == before, "an inspection changed the spool")
        }
    }

    /// Every path below `root` with its kind, size and modification time, to the nanosecond.
    private func snapshot(_ root: String) -> [String] {
        var lines: [String] = []
        func walk(_ relative: String) {
            let full = relative.isEmpty ? root : "\(root)/\(relative)"
            for entry in ((try? Syscall.entries(in: full)) ?? []).sorted(by: { $0.name < $1.name }) {
                let child = relative.isEmpty ? entry.name : "\(relative)/\(entry.name)"
                let status = try? Syscall.status("\(root)/\(child)", in: .currentWorkingDirectory)
                lines.append(
                    "\(child) \(entry.kind) \(status?.size ?? -1) \(status?.modificationTime.milliseconds ?? -1) \(status?.changeTime.milliseconds ?? -1)"
                )
                if entry.kind == .directory { walk(child) }
            }
        }
        walk("")
        return lines
    }
}
