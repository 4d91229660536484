import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A spool on a small tmpfs that fills up, in space and in inodes: an enqueue fails with one line and a
/// non-zero exit and leaves nothing; the daemon goes on, says what is wrong a few times rather than once
/// per drop per millisecond, and ingests what waited once there is room again. Needs root (to mount).
@Suite(.serialized, .timeLimit(.minutes(2)), .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct DiskFullTests {
    /// Mounts a tmpfs of `options` at a new folder, runs `body` with it, and unmounts it.
    private func withTmpfs(_ options: String, _ body: (String) async throws -> Void) async throws {
        let folder = TemporarySpool("tmpfs")
        defer { folder.remove() }
        let mounted = try ChildProcess.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", folder.path])
        try #require(mounted.status == 0, "\(mounted.error)")
        defer { _ = try? ChildProcess.run("/bin/umount", ["-l", folder.path]) }
        try await body(folder.path)
    }

    /// Fills the filesystem at `root`: one file of all the space left, then empty files for the inodes.
    private func fill(_ root: String, inodes: Bool) throws {
        if inodes {
            var index = 0
            while case let descriptor = creat("\(root)/filler-\(index)", 0o644), descriptor >= 0 {
                close(descriptor)
                index += 1
            }
        } else {
            let descriptor = open("\(root)/filler", O_WRONLY | O_CREAT, 0o644)
            let block = [UInt8](repeating: 0, count: 65_536)
            while write(descriptor, block, block.count) > 0 {}
            close(descriptor)
        }
    }

    private func unfill(_ root: String) {
        for name in SpoolFiles.names(root) where name.hasPrefix("filler") { unlink("\(root)/\(name)") }
    }

    @Test(arguments: [false, true])
    func anEnqueueOnAFullDiskFailsWithOneLineAndLeavesNothing(inodes: Bool) async throws {
        try await withTmpfs(inodes ? "size=8m,nr_inodes=64" : "size=1m") { root in
            let spool = "\(root)/spool"
            _ = try Spool(root: spool)
            try fill(root, inodes: inodes)
            let before = SpoolFiles.files(under: spool)
            let full = try ChildProcess.run("spoolctl", ["--spool", spool, "enqueue", "--type", "t", "--id", "x-1"])
            #expect(full.status == 74, "an I/O error")
            #expect(full.error.hasPrefix("spoolctl: ") && full.error.split(separator: "\n").count == 1, "\(full.error)")
            #expect(full.error.contains("No space left on device"), "\(full.error)")
            #expect(full.output.isEmpty, "no id is acknowledged")
            #expect(SpoolFiles.files(under: spool) == before, "nothing is left behind")
            unfill(root)
            let room = try ChildProcess.run("spoolctl", ["--spool", spool, "enqueue", "--type", "t", "--id", "x-1"])
            #expect(room.status == 0, "\(room.error)")
        }
    }

    @Test func theDaemonGoesOnAndIngestsWhatWaitedOnceThereIsRoom() async throws {
        try await withTmpfs("size=2m") { root in
            let spool = "\(root)/spool"
            let library = try Spool(root: spool)
            let daemon = try ChildProcess("spoold", ["--spool", spool, "--mode", "scheduler"])
            #expect(await eventually { daemon.errorOutput.contains("spoold started") })
            // Written while there is room, dropped once the disk is full: each ingest needs a new file.
            for index in 0..<20 {
                try SpoolFiles.write(#"{"type":"t","id":"w-\#(index)"}"#, to: "\(spool)/incoming/.w\(index)")
            }
            try fill(root, inodes: false)
            for index in 0..<20 {
                #expect(rename("\(spool)/incoming/.w\(index)", "\(spool)/incoming/w\(index).json") == 0)
            }
            try await Task.sleep(for: .seconds(3))
            let failing = daemon.errorOutput.split(separator: "\n").filter { $0.contains("ingest failing") }
            #expect(failing.count >= 1 && failing.count <= 3, "said a few times, not per drop: \(failing.count)")
            #expect(failing.first?.contains("level=error") == true)
            #expect(SpoolFiles.names("\(spool)/incoming").filter { $0.hasSuffix(".json") }.count == 20)
            unfill(root)
            #expect(
                await eventually(within: 40) { library.stats().queues.first?[.active] == 20 },
                "left: \(SpoolFiles.names("\(spool)/incoming"))"
            )
            #expect(daemon.errorOutput.contains("ingest recovered"))
            #expect(SpoolFiles.names("\(spool)/tmp").isEmpty)
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }
}
