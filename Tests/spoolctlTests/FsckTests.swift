import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `spoolctl fsck` on a damaged spool: every kind of problem found, reported, repaired, and found no more.
@Suite struct FsckTests {
    private func spoolctl(_ root: String, _ arguments: String...) throws -> (
        status: Int32, output: String, error: String
    ) {
        try ChildProcess.run("spoolctl", ["--spool", root] + arguments)
    }

    /// Writes `text` at `path` below `root`, creating its folders.
    private func put(_ text: String, at path: String, in root: String) throws {
        SpoolFiles.makeFolder("\(root)/\(path.split(separator: "/").dropLast().joined(separator: "/"))")
        try SpoolFiles.write(text, to: "\(root)/\(path)")
    }

    @Test func everyKindOfDamageIsReportedThenRepairedThenGone() throws {
        try TemporarySpool.with { directory in
            let root = directory.path
            let spool = try directory.open()
            let now = spool.clock.now
            // A finished task and an older pending copy of it, written back as a bad restore would.
            try spool.enqueue(NewTask(id: "finished", type: "t"))
            let pending = try #require(spool.find(id: "finished"))
            let older = try SpoolFiles.read("\(root)/\(pending.path)")
            let task = try #require(try spool.claimNext())
            try spool.complete(task, result: .integer(7))
            try SpoolFiles.write(older, to: "\(root)/\(pending.path)")
            // A second name of a due task's file, in a scheduled folder.
            try spool.enqueue(NewTask(id: "twin", type: "t"))
            let twin = try #require(spool.find(id: "twin"))
            let later = now.adding(seconds: 7200)
            let twinCopy =
                "\(SpoolLayout.scheduledFolder(queue: "default", due: later))/\(TaskFileName(due: later, id: "twin"))"
            SpoolFiles.makeFolder("\(root)/\(SpoolLayout.scheduledFolder(queue: "default", due: later))")
            #expect(link("\(root)/\(twin.path)", "\(root)/\(twinCopy)") == 0)
            // Files that are not tasks, or not the task their name says.
            try put("not json", at: "active/default/0000000000001.broken.json", in: root)
            try put(#"{"id":"someone","type":"t"}"#, at: "active/default/0000000000002.other.json", in: root)
            // Tasks in the wrong folder for their name.
            try spool.enqueue(NewTask(id: "moved-minute", type: "t", runAt: later))
            let scheduled = try #require(spool.find(id: "moved-minute"))
            SpoolFiles.makeFolder("\(root)/scheduled/default/20990101/0000")
            let wrongMinute = "scheduled/default/20990101/0000/\(scheduled.fileName)"
            try SpoolFiles.rename("\(root)/\(scheduled.path)", to: "\(root)/\(wrongMinute)")
            let pastDue = TaskFileName(due: now.adding(seconds: -60), id: "past-due").description
            try put(#"{"id":"past-due","type":"t"}"#, at: "scheduled/default/20000101/0000/\(pastDue)", in: root)
            let loose = TaskFileName(due: now, id: "loose").description
            try put(#"{"id":"loose","type":"t"}"#, at: "running/default/\(loose)", in: root)
            let hour = SpoolLayout.finishedFolder("done", queue: "default", expiry: now.adding(seconds: 86_400))
            try put(
                #"{"id":"pending-name","type":"t"}"#,
                at: "\(hour)/\(loose.replacingOccurrences("loose", "pending-name"))",
                in: root
            )
            try put(#"{"id":"no-due","type":"t"}"#, at: "active/default/no-due.json", in: root)
            // A lease of a worker that is gone, one that expired, one still held on another host.
            let gone = "\(WorkerName.current.host).999999999.1"
            try put(
                #"{"id":"orphaned","type":"t"}"#,
                at: "running/default/\(gone)/\(TaskFileName(due: now, id: "orphaned"))",
                in: root
            )
            try put(
                #"{"id":"expired","type":"t"}"#,
                at: "running/default/elsewhere.5.5/\(TaskFileName(due: now, id: "expired"))",
                in: root
            )
            try put(
                #"{"id":"held","type":"t"}"#,
                at: "running/default/elsewhere.6.6/\(TaskFileName(due: now, id: "held"))",
                in: root
            )
            try setModificationTime(
                "\(root)/running/default/elsewhere.5.5/\(TaskFileName(due: now, id: "expired"))",
                now.adding(seconds: -30)
            )
            try setModificationTime(
                "\(root)/running/default/elsewhere.6.6/\(TaskFileName(due: now, id: "held"))",
                now.adding(seconds: 600)
            )
            // A half-done write of a process that is gone.
            try put(#"{"id":"half","type":"t"}"#, at: "tmp/w.\(gone).1", in: root)
            // Reservations and index entries of tasks that are not in the spool.
            #expect(symlink("default/w.\(gone).2", "\(root)/ids/lost") == 0)
            SpoolFiles.makeFolder("\(root)/unique/default")
            #expect(symlink(#"{"task":"lost","token":"","key":"k1"}"#, "\(root)/unique/default/k1") == 0)
            SpoolFiles.makeFolder("\(root)/keys/0a")
            #expect(symlink("default 1", "\(root)/keys/0a/some-key+lost") == 0)
            // A name Spool does not use.
            try put("notes", at: "active/default/notes.txt", in: root)
            let before = SpoolFiles.files(under: root)

            // A dry run reports everything and changes nothing.
            let dry = try spoolctl(root, "--json", "fsck", "--dry-run")
            #expect(dry.status == 4, "\(dry.error)")
            #expect(SpoolFiles.files(under: root) == before)
            let lines = try dry.output.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
            let findings = lines.dropLast()
            func problems(_ kind: String) -> [String] {
                findings.filter { $0["problem"] == .string(kind) }.compactMap { $0["path"]?.stringValue }.sorted()
            }
            #expect(problems("duplicate") == [pending.path, twinCopy].sorted())
            #expect(
                problems("unreadable") == [
                    "active/default/0000000000001.broken.json", "active/default/0000000000002.other.json",
                ]
            )
            #expect(
                problems("misplaced")
                    == [
                        "active/default/no-due.json", "\(hour)/\(loose.replacingOccurrences("loose", "pending-name"))",
                        "running/default/\(loose)", "scheduled/default/20000101/0000/\(pastDue)", wrongMinute,
                    ].sorted()
            )
            #expect(
                problems("stale_lease")
                    == [
                        "running/default/\(gone)/\(TaskFileName(due: now, id: "orphaned"))",
                        "running/default/elsewhere.5.5/\(TaskFileName(due: now, id: "expired"))",
                    ].sorted()
            )
            #expect(problems("leftover_staging") == ["tmp/w.\(gone).1"])
            #expect(problems("orphaned_reservation") == ["ids/lost", "unique/default/k1"])
            #expect(problems("orphaned_index_entry").isEmpty, "an entry written in the last minute may be in flight")
            #expect(problems("unknown_entry") == ["active/default/notes.txt"])
            #expect(findings.allSatisfy { $0["repaired"] == .bool(false) })
            let summary = try #require(lines.last?["summary"])
            #expect(summary["problems"] == .integer(Int64(findings.count)) && summary["repaired"] == .integer(0))

            // The repair.
            let repair = try spoolctl(root, "fsck")
            #expect(repair.status == 4, "the unknown file is left: \(repair.output)\(repair.error)")
            #expect(
                repair.output.contains(
                    "unknown_entry  active/default/notes.txt  not a task file name; Spool ignores it\n"
                )
            )
            #expect(repair.output.contains("duplicate  \(twinCopy)  a second name of \(twin.path): name removed\n"))
            #expect(spool.find(id: "finished")?.state == .done)
            #expect(try spool.record(at: #require(spool.find(id: "finished"))).result == .integer(7))
            #expect(spool.find(id: "twin")?.path == twin.path)
            #expect(spool.find(id: "moved-minute")?.path == scheduled.path)
            #expect(spool.find(id: "past-due")?.state == .active)
            #expect(spool.find(id: "loose")?.state == .active)
            #expect(spool.find(id: "pending-name")?.path == "\(hour)/pending-name.json")
            #expect(spool.find(id: "orphaned")?.state == .scheduled, "returned as a failed attempt, to be retried")
            #expect(spool.find(id: "expired")?.state == .scheduled)
            #expect(spool.find(id: "held")?.state == .running, "a lease still held elsewhere is left")
            #expect(spool.find(id: "no-due") == nil && spool.find(id: "someone") == nil)
            let rejected = SpoolFiles.names("\(root)/rejected")
            #expect(
                rejected.filter { !$0.hasSuffix(".reason") }
                    == [
                        "0000000000001.broken.json", "0000000000002.other.json", pending.fileName, "no-due.json",
                    ].sorted()
            )
            let reason = try String(
                decoding: SpoolFiles.read("\(root)/rejected/\(pending.fileName).reason"),
                as: UTF8.self
            )
            #expect(
                reason.contains(
                    "a second copy of task finished; the copy at \(try #require(spool.find(id: "finished")).path) was kept"
                )
            )
            #expect(SpoolFiles.names("\(root)/tmp").isEmpty)
            #expect(
                SpoolFiles.readLink("\(root)/ids/lost") == nil
                    && SpoolFiles.readLink("\(root)/unique/default/k1") == nil
            )

            // A restored copy: every lease is stale, and the index entry is old enough to be sure of.
            let restored = try spoolctl(root, "fsck", "--restored")
            #expect(restored.status == 4, "\(restored.output)")
            #expect(restored.output.contains("stale_lease  running/default/elsewhere.6.6/"))
            #expect(restored.output.contains("orphaned_index_entry  keys/0a/some-key+lost"))
            #expect(spool.find(id: "held")?.state == .scheduled)
            #expect(SpoolFiles.readLink("\(root)/keys/0a/some-key+lost") == nil)

            #expect(unlink("\(root)/active/default/notes.txt") == 0)
            let clean = try spoolctl(root, "fsck")
            let tasks = spool.stats().queues.reduce(0) { $0 + $1.counts.values.reduce(0, +) }
            #expect(clean == (0, "checked \(tasks) task files: no problems\n", ""))
        }
    }

    @Test func fsckRefusesWhatItCannotDo() throws {
        try TemporarySpool.with { directory in
            _ = try directory.open()
            #expect(try spoolctl(directory.path + "/nowhere", "fsck").status == 66)
            #expect(try spoolctl(directory.path, "fsck", "--bogus").status == 64)
        }
    }

    private func setModificationTime(_ path: String, _ time: Timestamp) throws {
        let seconds = time.milliseconds / 1000
        #expect(try ChildProcess.run("/usr/bin/env", ["touch", "-m", "-d", "@\(seconds)", path]).status == 0)
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
