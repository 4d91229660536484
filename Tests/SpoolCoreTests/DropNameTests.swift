import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hostile drop names and file types, through the path a daemon's ingest pass takes: `pendingDrops()`
/// lists `incoming/`, then each name is ingested. FORMAT.md sections 1 and 7: a drop name (ends in
/// `.json`, does not start with `.`) leaves `incoming/`, placed as a task or moved to `rejected/` next to a
/// `.reason`; a name longer than 200 bytes is rejected for it; a name that is not UTF-8 is first renamed
/// within `incoming/`; any other name stays there untouched; and whatever a drop is (a symbolic link, a
/// FIFO, a socket, a device, a folder) it is rejected as not a regular file.
@Suite struct DropNameTests {
    /// A valid task, and a truncated one.
    static let valid = Array("{\"type\":\"t\"}".utf8)
    static let invalid = Array("{\"type\":\"t\"".utf8)
    static let invalidReason = "invalid JSON: unexpected end of data at byte 11"

    // MARK: - Names

    @Test(arguments: HostileName.all)
    func validDropUnderHostileName(_ name: HostileName) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect(DropNameTests.create(DropNameTests.valid, in: directory, name: name.bytes) == 0)
            let outcomes = try DropNameTests.ingestPass(spool)
            switch name.fate {
            case .drop, .renamed:
                #expect(outcomes.count == 1)
                guard case .accepted = outcomes.first else {
                    Issue.record("not accepted: \(outcomes)")
                    return
                }
                #expect(DropNameTests.rawNames(directory, "incoming").isEmpty)
                #expect(SpoolFiles.files(under: "\(directory.path)/active").count == 1)
                #expect(SpoolFiles.names("\(directory.path)/rejected").isEmpty)
            case .tooLong:
                DropNameTests.expectRejected(outcomes, in: directory, like: name.bytes, reason: name.tooLongReason)
            case .leftAlone:
                DropNameTests.expectLeftAlone(outcomes, in: directory, name: name.bytes, content: DropNameTests.valid)
            }
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test(arguments: HostileName.all)
    func invalidDropUnderHostileName(_ name: HostileName) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect(DropNameTests.create(DropNameTests.invalid, in: directory, name: name.bytes) == 0)
            let outcomes = try DropNameTests.ingestPass(spool)
            switch name.fate {
            case .drop:
                #expect(outcomes == [.rejected(name: name.text, reason: DropNameTests.invalidReason)])
                let rejected = DropNameTests.rawNames(directory, "rejected")
                #expect(rejected == [name.bytes, name.bytes + Array(".reason".utf8)])
            case .renamed(let renamed):
                guard outcomes.count == 1, case .rejected(let name, let reason) = outcomes[0] else {
                    Issue.record("not rejected once: \(outcomes)")
                    return
                }
                #expect(DropNameTests.isRenamed(name, as: renamed, by: spool), "\(name)")
                #expect(reason == DropNameTests.invalidReason)
                #expect(SpoolFiles.names("\(directory.path)/rejected") == [name, name + ".reason"])
            case .tooLong:
                DropNameTests.expectRejected(outcomes, in: directory, like: name.bytes, reason: name.tooLongReason)
            case .leftAlone:
                DropNameTests.expectLeftAlone(outcomes, in: directory, name: name.bytes, content: DropNameTests.invalid)
                return
            }
            #expect(DropNameTests.rawNames(directory, "incoming").isEmpty)
            #expect(SpoolFiles.files(under: "\(directory.path)/active").isEmpty)
        }
    }

    @Test func nameLongerThanAFileNameCannotBeDropped() throws {
        try TemporarySpool.with { directory in
            _ = try directory.open()
            let name = Array((String(repeating: "n", count: 251) + ".json").utf8)
            #expect(DropNameTests.create(DropNameTests.valid, in: directory, name: name) == ENAMETOOLONG)
        }
    }

    /// The staging name `in.<worker>.<seq>.<drop name>` is cut to 255 bytes: a 200-byte drop name is
    /// ingested whatever the worker's name (a 60-byte host, the largest pid and start ticks).
    @Test(arguments: [false, true])
    func longestDropNameWithLongestWorkerName(valid: Bool) throws {
        try TemporarySpool.with { directory in
            let worker = WorkerName(host: String(repeating: "h", count: 60), pid: .max, startTicks: .max)
            let spool = try directory.open(worker: worker)
            let name = String(repeating: "\u{E9}", count: 97) + "a.json"
            #expect(name.utf8.count == 200)
            let content = valid ? DropNameTests.valid : DropNameTests.invalid
            try SpoolFiles.write(content, to: "\(directory.path)/incoming/\(name)")
            let outcomes = try DropNameTests.ingestPass(spool)
            if valid {
                guard case .accepted = outcomes.first else {
                    Issue.record("not accepted: \(outcomes)")
                    return
                }
            } else {
                #expect(outcomes == [.rejected(name: name, reason: DropNameTests.invalidReason)])
            }
            #expect(SpoolFiles.names("\(directory.path)/incoming").isEmpty)
        }
    }

    /// A name that is not UTF-8 is renamed to its `%XX` form; when that name is taken, `.<ULID>` is added.
    @Test func renamedDropDoesNotReplaceADropOfItsNewName() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(clock: ManualClock())
            try SpoolFiles.write("{\"type\":\"first\"}", to: "\(directory.path)/incoming/x%FF.json")
            let misnamed = Array("x".utf8) + [0xFF] + Array(".json".utf8)
            #expect(DropNameTests.create(DropNameTests.valid, in: directory, name: misnamed) == 0)
            let outcomes = try DropNameTests.ingestPass(spool)
            #expect(outcomes.count == 2)
            #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
            #expect(DropNameTests.rawNames(directory, "incoming").isEmpty)
            #expect(SpoolFiles.files(under: "\(directory.path)/active").count == 2)
        }
    }

    // MARK: - File types

    @Test func fifoIsRejectedWithoutBlocking() throws {
        try DropNameTests.withDrop(kind: "fifo", { mkfifo($0, 0o644) }, reason: "not a regular file: fifo")
    }

    @Test func socketIsRejectedAsNotARegularFile() throws {
        try DropNameTests.withDrop(
            kind: "socket",
            { path in
                let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(descriptor) }
                var address = sockaddr_un()
                address.sun_family = sa_family_t(AF_UNIX)
                let bytes = Array(String(cString: path).utf8)
                guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return -1 }
                withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
                return withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            },
            reason: "not a regular file: socket"
        )
    }

    @Test func emptyDirectoryIsRejected() throws {
        try DropNameTests.withDrop(kind: "directory", { mkdir($0, 0o755) }, reason: "not a regular file: directory")
    }

    @Test func directoryWithFilesIsRejectedWhole() throws {
        try DropNameTests.withDrop(
            kind: "directory",
            { path in
                guard mkdir(path, 0o755) == 0 else { return -1 }
                let inner = String(cString: path) + "/inner.json"
                return (try? SpoolFiles.write(DropNameTests.valid, to: inner)) == nil ? -1 : 0
            },
            reason: "not a regular file: directory"
        )
    }

    @Test(arguments: ["file", "outside", "dangling", "directory", "loop"])
    func symbolicLinkIsRejectedAndNotFollowed(_ target: String) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write(DropNameTests.valid, to: "\(directory.path)/target.json")
            let text =
                switch target {
                case "file": "\(directory.path)/target.json"
                case "outside": "/etc/hostname"
                case "dangling": "\(directory.path)/missing.json"
                case "directory": "\(directory.path)/active"
                default: "link.json"
                }
            #expect(symlink(text, "\(directory.path)/incoming/link.json") == 0)
            let outcomes = try DropNameTests.ingestPass(spool)
            #expect(outcomes == [.rejected(name: "link.json", reason: "not a regular file: symbolic link")])
            let kept = try Syscall.readSymbolicLink(
                "\(directory.path)/rejected/link.json",
                in: .currentWorkingDirectory
            )
            #expect(kept == text)
            #expect(try SpoolFiles.read("\(directory.path)/target.json") == DropNameTests.valid)
            #expect(SpoolFiles.names("\(directory.path)/incoming").isEmpty)
            #expect(SpoolFiles.files(under: "\(directory.path)/active").isEmpty)
        }
    }

    /// FORMAT.md 7: a hard link into `incoming/` works as a rename does; the producer's own name keeps the
    /// content it had, also when the drop was rewritten in normal form.
    @Test func hardLinkIsIngestedAndTheOtherNameKeepsItsContent() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write(DropNameTests.valid, to: "\(directory.path)/producer.json")
            #expect(link("\(directory.path)/producer.json", "\(directory.path)/incoming/linked.json") == 0)
            let outcomes = try DropNameTests.ingestPass(spool)
            guard case .accepted(let id, _) = outcomes.first else {
                Issue.record("not accepted: \(outcomes)")
                return
            }
            #expect(try spool.record(at: #require(spool.find(id: id))).type == "t")
            #expect(try SpoolFiles.read("\(directory.path)/producer.json") == DropNameTests.valid)
            #expect(SpoolFiles.names("\(directory.path)/incoming").isEmpty)
        }
    }

    /// Two names of one file with an id: the first is placed, the second rejected for the id.
    @Test func twoHardLinksOfOneDropWithAnID() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write("{\"type\":\"t\",\"id\":\"twice\"}", to: "\(directory.path)/incoming/a.json")
            #expect(link("\(directory.path)/incoming/a.json", "\(directory.path)/incoming/b.json") == 0)
            #expect(try spool.ingest("a.json") == .accepted(id: "twice", queue: "default"))
            #expect(try spool.ingest("b.json") == .rejected(name: "b.json", reason: "id: \"twice\" is already in use"))
            #expect(SpoolFiles.names("\(directory.path)/incoming").isEmpty)
        }
    }

    @Test(.enabled(if: getuid() == 0, "mknod needs root"))
    func characterDeviceIsRejectedWithoutReadingIt() throws {
        // 1:5 is /dev/zero: endless if read.
        try DropNameTests.withDrop(
            kind: "characterDevice",
            { mknod($0, S_IFCHR | 0o644, DropNameTests.device(major: 1, minor: 5)) },
            reason: "not a regular file: characterDevice"
        )
    }

    @Test(.enabled(if: getuid() == 0, "mknod needs root"))
    func blockDeviceIsRejected() throws {
        // 7:200 is a loop device that does not exist: opening it fails, yet it is a block device.
        try DropNameTests.withDrop(
            kind: "blockDevice",
            { mknod($0, S_IFBLK | 0o644, DropNameTests.device(major: 7, minor: 200)) },
            reason: "not a regular file: blockDevice"
        )
    }

    @Test(.enabled(if: getuid() != 0, "root reads any file"))
    func unreadableDropIsRejectedWithTheError() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write(DropNameTests.valid, to: "\(directory.path)/incoming/locked.json")
            #expect(chmod("\(directory.path)/incoming/locked.json", 0) == 0)
            let outcomes = try DropNameTests.ingestPass(spool)
            guard case .rejected(_, let reason) = outcomes.first else {
                Issue.record("not rejected: \(outcomes)")
                return
            }
            #expect(reason.hasPrefix("could not open: "))
        }
    }

    /// A sparse file of 4 GiB is refused by its size, without being read.
    @Test func hugeSparseDropIsRejectedBySize() throws {
        try DropNameTests.withDrop(
            kind: "sparse",
            { path in
                let descriptor = open(path, O_CREAT | O_WRONLY, 0o644)
                defer { close(descriptor) }
                return descriptor < 0 ? -1 : ftruncate(descriptor, 1 << 32)
            },
            reason: "too large: 4294967296 bytes (limit 1048576)"
        )
    }
}
