import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

@Suite struct SyscallTests {
    func withFolder(_ function: String = #function, _ body: (FileDescriptor, String) throws -> Void) throws {
        let folder = TemporarySpool(function)
        defer { folder.remove() }
        let descriptor = try FileDescriptor.openDirectory(folder.path)
        defer { descriptor.closeQuietly() }
        try body(descriptor, folder.path)
    }

    @Test func exclusiveRenameNeverOverwrites() throws {
        try withFolder { folder, path in
            try SpoolFiles.write("a", to: "\(path)/a")
            try SpoolFiles.write("b", to: "\(path)/b")
            #expect(throws: Errno.fileExists) {
                try Syscall.rename("a", in: folder, to: "b", in: folder, flags: .exclusive)
            }
            #expect(try SpoolFiles.read("\(path)/b") == Array("b".utf8))
            try Syscall.rename("a", in: folder, to: "c", in: folder, flags: .exclusive)
            #expect(SpoolFiles.names(path) == ["b", "c"])
        }
    }

    @Test func swapExchangesAndFailsWhenTargetIsGone() throws {
        try withFolder { folder, path in
            try SpoolFiles.write("new", to: "\(path)/staged")
            try SpoolFiles.write("old", to: "\(path)/task")
            try Syscall.rename("staged", in: folder, to: "task", in: folder, flags: .swap)
            #expect(try SpoolFiles.read("\(path)/task") == Array("new".utf8))
            #expect(try SpoolFiles.read("\(path)/staged") == Array("old".utf8))
            #expect(throws: Errno.noSuchFileOrDirectory) {
                try Syscall.rename("staged", in: folder, to: "missing", in: folder, flags: .swap)
            }
        }
    }

    @Test(arguments: [Errno.invalidArgument, .noFunction])
    func flagsTheFilesystemRefusesAreReportedAndChangeNothing(code: Errno) throws {
        try withFolder { folder, path in
            let faults = SyscallFaults().inject(.fail(code), into: "renameat2", times: 10)
            try SpoolFiles.write("a", to: "\(path)/a")
            SyscallFaults.withFaults(faults) {
                #expect(throws: code) { try Syscall.rename("a", in: folder, to: "c", in: folder, flags: .exclusive) }
                #expect(RenameFlags.probe(in: folder, scratch: "probe").isEmpty)
            }
            #expect(SpoolFiles.names(path) == ["a"])
        }
    }

    @Test func probeFindsBothFlagsOnALocalFilesystemAndLeavesNothing() throws {
        try withFolder { folder, path in
            #expect(RenameFlags.probe(in: folder, scratch: "probe") == [.exclusive, .swap])
            #expect(SpoolFiles.names(path).isEmpty)
        }
    }

    @Test func moveByLinkNeverReplacesAndMovesOnce() throws {
        try withFolder { folder, path in
            try SpoolFiles.write("a", to: "\(path)/a")
            try SpoolFiles.write("b", to: "\(path)/b")
            #expect(throws: Errno.fileExists) { try Syscall.moveByLink("a", in: folder, to: "b", in: folder) }
            #expect(try SpoolFiles.read("\(path)/b") == Array("b".utf8))
            try Syscall.moveByLink("a", in: folder, to: "c", in: folder)
            #expect(SpoolFiles.names(path) == ["b", "c"])
            #expect(try SpoolFiles.read("\(path)/c") == Array("a".utf8))
            #expect(try Syscall.status("c", in: folder).linkCount == 1)
            #expect(throws: Errno.noSuchFileOrDirectory) {
                try Syscall.moveByLink("a", in: folder, to: "d", in: folder)
            }
        }
    }

    /// Another process moved the file between the link and the unlink: the mover whose unlink failed
    /// takes its new name back and reports the loss, as a losing rename would.
    @Test func moveByLinkThatLosesTheSourceTakesItsNameBack() throws {
        try withFolder { folder, path in
            try SpoolFiles.write("a", to: "\(path)/a")
            let faults = SyscallFaults().inject(.fail(.noSuchFileOrDirectory), into: "unlinkat", times: 1)
            _ = SyscallFaults.withFaults(faults) {
                #expect(throws: Errno.noSuchFileOrDirectory) {
                    try Syscall.moveByLink("a", in: folder, to: "c", in: folder)
                }
            }
            #expect(SpoolFiles.names(path) == ["a"])
        }
    }

    @Test func interruptedCallsAreRetriedButOtherErrorsAreNot() throws {
        try withFolder { folder, path in
            let faults = SyscallFaults().inject(.fail(.interrupted), into: "openat", times: 2)
                .inject(.fail(.interrupted), into: "fsync", times: 2)
            try SyscallFaults.withFaults(faults) {
                let file = try FileDescriptor.open(
                    "f",
                    in: folder,
                    .writeOnly,
                    options: [.create],
                    permissions: .ownerReadWrite
                )
                try file.closeAfter { (file) throws(Errno) in try file.synchronize() }
            }
            #expect(faults.count("openat") == 3)
            #expect(faults.count("fsync") == 3)
            let failing = SyscallFaults().inject(.fail(.ioError), into: "fsync")
            let file = try FileDescriptor.open("f", in: folder, .writeOnly)
            defer { file.closeQuietly() }
            #expect(throws: Errno.ioError) { try SyscallFaults.withFaults(failing) { try file.synchronize() } }
        }
    }

    @Test func openNeverFollowsASymbolicLink() throws {
        try withFolder { folder, path in
            try SpoolFiles.write("secret", to: "\(path)/target")
            try Syscall.makeSymbolicLink("link", in: folder, target: "target")
            #expect(throws: Errno.tooManySymbolicLinkLevels) { try FileDescriptor.open("link", in: folder, .readOnly) }
            #expect(try Syscall.readSymbolicLink("link", in: folder) == "target")
            #expect(try Syscall.status("link", in: folder).kind == .symlink)
            #expect(throws: Errno.fileExists) { try Syscall.makeSymbolicLink("link", in: folder, target: "other") }
        }
    }

    @Test func readAllStopsAtTheLimit() throws {
        try withFolder { folder, path in
            try SpoolFiles.write([UInt8](repeating: 7, count: 100_000), to: "\(path)/big")
            let file = try FileDescriptor.open("big", in: folder, .readOnly)
            defer { file.closeQuietly() }
            let result = try file.readAll(limit: 40_000)
            #expect(result.bytes.count == 40_000)
            #expect(result.truncated)
            let whole = try FileDescriptor.open("big", in: folder, .readOnly)
            defer { whole.closeQuietly() }
            #expect(try whole.readAll(limit: 100_000) == ([UInt8](repeating: 7, count: 100_000), false))
        }
    }

    @Test func modificationTimeIsSetAndRead() throws {
        try withFolder { folder, path in
            try SpoolFiles.write("x", to: "\(path)/f")
            let time = FileTime(milliseconds: 2_000_000_000_123)
            try Syscall.setModificationTime("f", in: folder, to: time)
            #expect(try Syscall.status("f", in: folder).modificationTime == time)
            let file = try FileDescriptor.open("f", in: folder, .writeOnly)
            defer { file.closeQuietly() }
            try file.setModificationTime(FileTime(milliseconds: 1000))
            #expect(try file.status().modificationTime == FileTime(milliseconds: 1000))
        }
    }

    @Test func listingStreamsEveryEntryWithItsKind() throws {
        try withFolder { folder, path in
            for index in 0..<3000 { try SpoolFiles.write("", to: "\(path)/f\(index)") }
            try Syscall.makeDirectory("sub", in: folder)
            var files = 0
            var directories = 0
            try Syscall.forEachEntry(in: path) { entry in
                if entry.kind == .regular { files += 1 }
                if entry.kind == .directory { directories += 1 }
                return true
            }
            #expect(files == 3000)
            #expect(directories == 1)
            #expect(throws: Errno.noSuchFileOrDirectory) { try Syscall.entries(in: "\(path)/missing") }
        }
    }

    @Test func rawNamesAreStreamedWithoutTheDotEntries() throws {
        try withFolder { folder, path in
            for name in ["a", "..b", ".c", "long-\(String(repeating: "n", count: 200))"] {
                try SpoolFiles.write("", to: "\(path)/\(name)")
            }
            var names: [String] = []
            try Syscall.forEachEntryName(in: path) { bytes, kind in
                #expect(kind == .regular)
                names.append(String(decoding: bytes, as: UTF8.self))
                return names.count < 10
            }
            #expect(names.sorted() == ["..b", ".c", "a", "long-\(String(repeating: "n", count: 200))"])
            var seen = 0
            try Syscall.forEachEntryName(in: path) { _, _ in
                seen += 1
                return false
            }
            #expect(seen == 1, "returning false stops the listing")
        }
    }

    /// Everything below the folder goes, whatever its names and kinds; a symbolic link goes, not what it names.
    @Test func removeTreeRemovesEveryEntryAndFollowsNoLink() throws {
        try withFolder { _, path in
            let outside = "\(path)/outside"
            try SpoolFiles.makeDirectory(outside)
            try SpoolFiles.write("kept", to: "\(outside)/file")
            let tree = "\(path)/tree"
            try SpoolFiles.makeDirectory(tree)
            try SpoolFiles.makeDirectory("\(tree)/a")
            try SpoolFiles.makeDirectory("\(tree)/a/b")
            try SpoolFiles.write("x", to: "\(tree)/a/b/deep.json")
            try SpoolFiles.write("y", to: "\(tree)/plain")
            // A name that is not UTF-8, for a file and for a folder holding one.
            for (name, isFolder) in [([0x62, 0xFF, 0x2E, 0x6A], false), ([0xC3, 0x28], true)] as [([UInt8], Bool)] {
                let full = Array("\(tree)/".utf8) + name + [0]
                let made = full.withUnsafeBufferPointer { bytes in
                    bytes.withMemoryRebound(to: CChar.self) {
                        isFolder ? mkdir($0.baseAddress!, 0o755) : creat($0.baseAddress!, 0o644)
                    }
                }
                #expect(made >= 0)
                if isFolder {
                    let inner = Array("\(tree)/".utf8) + name + Array("/\u{1}z".utf8) + [0]
                    #expect(
                        inner.withUnsafeBufferPointer {
                            $0.withMemoryRebound(to: CChar.self) { creat($0.baseAddress!, 0o644) }
                        } >= 0
                    )
                }
            }
            #expect(symlink(outside, "\(tree)/link") == 0)
            #expect(mkfifo("\(tree)/fifo", 0o644) == 0)

            Syscall.removeTree(tree)
            #expect((try? Syscall.status(tree, in: .currentWorkingDirectory)) == nil, "\(SpoolFiles.names(tree))")
            #expect(try SpoolFiles.read("\(outside)/file") == Array("kept".utf8))
        }
    }

    @Test func deferredDeletesHappenOffTheCallersThread() throws {
        try withFolder { _, path in
            for index in 0..<200 { try SpoolFiles.write("x", to: "\(path)/f\(index)") }
            let directory = try FileDescriptor.openDirectory(path)
            for index in 0..<200 { DeferredUnlink.unlink("f\(index)", in: directory) }
            // The deletion thread keeps its own descriptor: closing ours at once is safe.
            directory.closeQuietly()
            let again = try FileDescriptor.openDirectory(path)
            DeferredUnlink.unlink("missing", in: again)
            again.closeQuietly()
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names(path).isEmpty)
        }
    }

    @Test func processLivenessTellsAReusedPidApart() {
        #expect(LocalProcess.isRunning(pid: LocalProcess.id, startTicks: LocalProcess.startTicks))
        #expect(!LocalProcess.isRunning(pid: LocalProcess.id, startTicks: LocalProcess.startTicks + 1))
        #expect(!LocalProcess.isRunning(pid: Int32.max - 7, startTicks: 1))
    }
}

@Suite struct LocalProcessTests {
    @Test func aZombieIsNotRunning() throws {
        // A child that exits and is not reaped yet stays a zombie with its pid and start time.
        let child = try ChildProcess("/bin/true", [])
        var ticks: UInt64?
        for _ in 0..<200 {
            let stat = String(decoding: (try? SpoolFiles.read("/proc/\(child.pid)/stat")) ?? [], as: UTF8.self)
            if stat.contains(") Z ") { break }
            ticks = LocalProcess.startTicks(of: child.pid)
            usleep(5000)
        }
        #expect(LocalProcess.startTicks(of: child.pid) == nil)
        #expect(!LocalProcess.isRunning(pid: child.pid, startTicks: ticks ?? 0))
        #expect(child.wait() == 0)
    }
}

#if canImport(Glibc)
import Glibc
#endif
