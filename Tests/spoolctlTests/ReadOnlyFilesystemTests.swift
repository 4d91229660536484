import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A spool whose filesystem turns read-only under a running daemon (as ext4 does after an I/O error, or an
/// operator's remount), then writable again: claims, promotions and the recording of outcomes fail with
/// `EROFS`. The daemon goes on, says what fails a few times rather than once per task per millisecond,
/// keeps every task where it is, and, once the filesystem is writable, runs each task exactly once.
/// Needs root (to mount a tmpfs and remount it).
@Suite(.serialized, .timeLimit(.minutes(2)), .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct ReadOnlyFilesystemTests {
    /// Remounts the filesystem at `path`; a remount read-only fails while a file is open for writing (a
    /// task being rewritten, say), so it is tried again, as an operator would.
    private func remount(_ path: String, _ mode: String) async throws {
        var result = try ChildProcess.run("/bin/mount", ["-o", "remount,\(mode)", path])
        for _ in 0..<100 where result.status != 0 {
            try await Task.sleep(for: .milliseconds(10))
            result = try ChildProcess.run("/bin/mount", ["-o", "remount,\(mode)", path])
        }
        try #require(result.status == 0, "remount \(mode): \(result.error)")
    }

    /// The CPU time process `pid` has used, in seconds (user and system, from `/proc/<pid>/stat`).
    private func cpuSeconds(_ pid: Int32) -> Double {
        let stat = String(decoding: (try? SpoolFiles.read("/proc/\(pid)/stat")) ?? [], as: UTF8.self)
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The ids whose handler started, one line per start.
    private func starts(_ log: String) -> [String] {
        lines(of: log).filter { $0.hasPrefix("start ") }.map { String($0.dropFirst(6)) }
    }

    @Test func theDaemonWaitsOutAReadOnlySpoolAndRunsEveryTaskOnce() async throws {
        let folder = TemporarySpool("tmpfs")
        let outside = TemporarySpool("log")
        defer {
            _ = try? ChildProcess.run("/bin/umount", ["-l", folder.path])
            folder.remove()
            outside.remove()
        }
        let mounted = try ChildProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", folder.path])
        try #require(mounted.status == 0, "\(mounted.error)")
        let root = "\(folder.path)/spool"
        let log = "\(outside.path)/runs.log"
        let library = try Spool(root: root)
        try writeScript(
            "\(outside.path)/slow.sh",
            """
            echo "start $SPOOL_TASK_ID" >> "\(log)"
            sleep 1
            """
        )
        try SpoolFiles.write(
            """
            workers: {concurrency: 8}
            default_concurrency: 8
            queues: {default: {handler: slow}}
            handlers:
              slow: {exec: ["\(outside.path)/slow.sh"]}
            """,
            to: "\(root)/spool.yaml"
        )
        // Waiting in active/ while the spool is read-only: every claim fails.
        var ids = try (0..<20).map { _ in try library.enqueue(NewTask(type: "t")) }
        // Due while it is read-only: every promotion fails. Enqueued by processes that exit, so that no
        // handle of their minute folder outlives its removal: a removed folder still open keeps a
        // filesystem from being remounted read-only (EBUSY).
        for _ in 0..<5 {
            let enqueued = try ChildProcess.run(
                "spoolctl",
                ["--spool", root, "enqueue", "--type", "t", "--delay", "2"]
            )
            try #require(enqueued.status == 0, "\(enqueued.error)")
            ids.append(String(enqueued.output.dropLast()))
        }
        try await remount(folder.path, "ro")
        let daemon = try ChildProcess("spoold", ["--spool", root, "--mode", "all"])
        defer { daemon.send(SIGKILL) }
        #expect(await eventually { daemon.errorOutput.contains("spoold started") })
        let cpuBefore = cpuSeconds(daemon.pid)
        try await Task.sleep(for: .seconds(4))
        let cpu = cpuSeconds(daemon.pid) - cpuBefore
        #expect(cpu < 0.5, "the daemon waits out the fault without a busy loop: \(cpu) s of CPU in 4 s")
        #expect(starts(log).isEmpty, "nothing can be claimed from a read-only spool")
        try await remount(folder.path, "rw")
        #expect(await eventually(within: 15) { ids.allSatisfy { library.find(id: $0)?.state == .done } })

        // Read-only while attempts run: recording their outcomes fails until it is writable again.
        let running = try (0..<4).map { _ in try library.enqueue(NewTask(type: "t")) }
        ids += running
        #expect(await eventually { Set(starts(log)).isSuperset(of: running) })
        try await remount(folder.path, "ro")
        try await Task.sleep(for: .seconds(3))
        #expect(running.allSatisfy { library.find(id: $0)?.state == .running }, "finished tasks wait in running/")
        try await remount(folder.path, "rw")
        #expect(await eventually(within: 15) { running.allSatisfy { library.find(id: $0)?.state == .done } })

        let started = starts(log)
        #expect(started.count == ids.count && Set(started) == Set(ids), "each task ran exactly once")
        let output = daemon.errorOutput.split(separator: "\n")
        for (failing, recovered) in [
            ("claims failing", "claims recovered"),
            ("promotion failing", "promotion recovered"),
            ("recording outcomes failing", "recording outcomes recovered"),
        ] {
            let said = output.filter { $0.contains(failing) }
            #expect(said.count >= 1 && said.count <= 3, "\(failing): said \(said.count) times, not per task")
            #expect(said.allSatisfy { $0.contains("level=error") && $0.contains("Read-only file system") })
            #expect(output.contains { $0.contains(recovered) && $0.contains("level=warning") }, "\(recovered)")
        }
        daemon.send(SIGTERM)
        #expect(await daemon.wait() == 0)
        #expect(SpoolFiles.names("\(root)/tmp").isEmpty)
        #expect(SpoolFiles.files(under: "\(root)/rejected").isEmpty)
    }
}
