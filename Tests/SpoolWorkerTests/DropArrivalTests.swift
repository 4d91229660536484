import SpoolCore
import SpoolWatch
import SpoolSystem
import SpoolTestSupport
import SpoolWorker
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Every entry that appears in `incoming/` under a drop name is ingested or rejected within a second while
/// the engine runs: whatever the bytes of its name, its file type, and the system call that made it.
@Suite(.timeLimit(.minutes(2))) struct DropArrivalTests {
    private let task = #"{"type":"t"}"#

    /// The names left in `incoming/` and whether every other drop has been accounted for.
    private func settled(_ directory: TemporarySpool, expecting count: Int, spool: Spool) -> Bool {
        let incoming = SpoolFiles.names("\(directory.path)/incoming").filter { !$0.hasPrefix(".") }
        let rejected = SpoolFiles.names("\(directory.path)/rejected").filter { !$0.hasSuffix(".reason") }
        let accepted = spool.stats().queues.reduce(0) { $0 + $1[.active] }
        return incoming.isEmpty && rejected.count + accepted == count
    }

    /// The ways an entry can come to be in `incoming/`, each made by a different system call.
    enum Entry: String, CaseIterable {
        case renamedWithBytesThatAreNotUTF8, renamedWithLatin1, hardLink, symbolicLink, fifo, folder, socket
        case writtenInPlace, longerThanTheLimit, atTheLimit

        var accepted: Bool {
            [.renamedWithBytesThatAreNotUTF8, .renamedWithLatin1, .hardLink, .writtenInPlace, .atTheLimit].contains(
                self
            )
        }

        /// Makes the entry; returns what stays open until the test ends.
        func make(in directory: TemporarySpool, task: String) throws -> UnixSocket? {
            let incoming = "\(directory.path)/incoming"
            switch self {
            case .renamedWithBytesThatAreNotUTF8:
                try SpoolFiles.write(task, to: "\(incoming)/.raw")
                let raw: [UInt8] = Array("\(incoming)/bad-".utf8) + [0xFF, 0xFE] + Array(".json".utf8) + [0]
                let renamed = raw.withUnsafeBufferPointer { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { rename("\(incoming)/.raw", $0.baseAddress!) }
                }
                #expect(renamed == 0)
            case .renamedWithLatin1:
                try SpoolFiles.write(task, to: "\(incoming)/.latin1")
                #expect(rename("\(incoming)/.latin1", "\(incoming)/caf\u{E9} \u{1}\n.json") == 0)
            case .hardLink:
                try SpoolFiles.write(task, to: "\(directory.path)/source")
                #expect(link("\(directory.path)/source", "\(incoming)/linked.json") == 0)
            case .symbolicLink:
                try SpoolFiles.write(task, to: "\(directory.path)/source")
                #expect(symlink("\(directory.path)/source", "\(incoming)/symlink.json") == 0)
            case .fifo:
                #expect(mkfifo("\(incoming)/fifo.json", 0o644) == 0)
            case .folder:
                #expect(mkdir("\(incoming)/folder.json", 0o755) == 0)
            case .socket:
                return try UnixSocket(path: "\(incoming)/socket.json")
            case .writtenInPlace:
                try SpoolFiles.write(task, to: "\(incoming)/in-place.json")
            case .longerThanTheLimit:
                try SpoolFiles.write(task, to: "\(incoming)/\(String(repeating: "l", count: 240)).json")
            case .atTheLimit:
                try SpoolFiles.write(task, to: "\(incoming)/\(String(repeating: "m", count: 195)).json")
            }
            return nil
        }
    }

    @Test(arguments: Entry.allCases)
    func everyKindOfEntryIsIngestedOrRejectedWithinASecond(entry: Entry) async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let engine = SpoolEngine(spool: spool, configuration: EngineConfiguration(watchMode: .inotify))
            try await whileRunning(engine) {
                // The engine's first listing of incoming/ is over: only the watch can see the entry now.
                #expect(await eventually { SpoolFiles.names("\(directory.path)/incoming").isEmpty })
                try await Task.sleep(for: .milliseconds(200))
                let socket = try entry.make(in: directory, task: task)
                defer { socket?.close() }
                #expect(
                    await eventually(within: 1) { settled(directory, expecting: 1, spool: spool) },
                    "left in incoming/: \(SpoolFiles.names("\(directory.path)/incoming"))"
                )
            }
            #expect((spool.stats().queues.first?[.active] ?? 0) == (entry.accepted ? 1 : 0))
            let reasons = try SpoolFiles.names("\(directory.path)/rejected").filter { $0.hasSuffix(".reason") }.map {
                String(decoding: try SpoolFiles.read("\(directory.path)/rejected/\($0)"), as: UTF8.self)
            }
            #expect(reasons.count == (entry.accepted ? 0 : 1))
            if entry == .longerThanTheLimit { #expect(reasons.first == "drop name longer than 200 bytes (245)\n") }
        }
    }

    @Test func pollingFindsEveryKindOfEntryToo() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let engine = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(watchMode: .poll, pollInterval: 0.1)
            )
            try await whileRunning(engine) {
                var sockets: [UnixSocket] = []
                defer { sockets.forEach { $0.close() } }
                for entry in Entry.allCases where entry != .hardLink {
                    if let socket = try entry.make(in: directory, task: task) { sockets.append(socket) }
                }
                let count = Entry.allCases.count - 1
                #expect(await eventually(within: 10) { settled(directory, expecting: count, spool: spool) })
            }
        }
    }

    @Test func eventsDroppedInsideTheProcessAreReported() async throws {
        try await TemporarySpool.with { directory in
            _ = try directory.open()
            let watcher = try #require(InotifyWatcher(root: directory.path, capacity: 4))
            defer { watcher.close() }
            #expect(await watcher.watch("incoming"))
            for index in 0..<50 {
                try SpoolFiles.write("{}", to: "\(directory.path)/incoming/\(index).json")
            }
            #expect(await eventually { watcher.takeOverflow() }, "a reader that fell behind is told to rescan")
        }
    }
}

private struct SocketError: Error {
    var code: Int32
}

/// A listening Unix socket bound at a path, as a program may leave in any folder.
struct UnixSocket {
    let descriptor: Int32

    init(path: String) throws {
        descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw SocketError(code: errno) }
    }

    func close() { _ = Glibc.close(descriptor) }
}
