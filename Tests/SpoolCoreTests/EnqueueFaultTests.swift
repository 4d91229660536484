import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

/// An enqueue that the filesystem fails, at any of its system calls and with any error, throws one clear
/// error, acknowledges nothing and leaves nothing behind: no task, no staging file, no reservation.
@Suite struct EnqueueFaultTests {
    static let calls = ["openat", "write", "fdatasync", "fsync", "renameat2", "mkdirat", "symlinkat"]
    static let errors: [Errno] = [.ioError, .noSpace, .tooManyOpenFiles, .permissionDenied, .readOnlyFileSystem]

    enum Kind: String, CaseIterable {
        case generatedID, givenID, delayed, batch, drop
    }

    /// Runs one enqueue of `kind`; returns the ids it acknowledged.
    private func enqueue(_ kind: Kind, spool: Spool, root: String) throws -> [String] {
        switch kind {
        case .generatedID: return [try spool.enqueue(NewTask(queue: "fresh", type: "t"))]
        case .givenID: return [try spool.enqueue(NewTask(id: "given-1", queue: "fresh", type: "t"))]
        case .delayed: return [try spool.enqueue(NewTask(id: "later-1", queue: "fresh", type: "t", delay: 600))]
        case .batch:
            return try spool.enqueue(contentsOf: [
                NewTask(id: "batch-1", queue: "fresh", type: "t"), NewTask(queue: "fresh", type: "t", delay: 600),
            ])
        case .drop:
            if case .accepted(let id, _) = try spool.ingest("drop.json") { return [id] }
            return []
        }
    }

    @Test(arguments: Kind.allCases)
    func aFailedCallAcknowledgesNothingAndLeavesNothing(kind: Kind) throws {
        var points = 0
        for call in EnqueueFaultTests.calls {
            // How often the operation makes this call when nothing fails.
            let count = try TemporarySpool.with { directory in
                let spool = try setUp(directory)
                let counter = SyscallFaults()
                _ = try SyscallFaults.withFaults(counter) { try enqueue(kind, spool: spool, root: directory.path) }
                return counter.count(call)
            }
            for occurrence in 0..<count {
                for error in EnqueueFaultTests.errors {
                    points += 1
                    try TemporarySpool.with { directory in
                        let spool = try setUp(directory)
                        let before = SpoolFiles.files(under: directory.path)
                        let faults = SyscallFaults().inject(.fail(error), into: call, after: occurrence)
                        do {
                            let ids = try SyscallFaults.withFaults(faults) {
                                try enqueue(kind, spool: spool, root: directory.path)
                            }
                            // A failed flush of a folder the task is already in may be absorbed only when
                            // the task is complete and flushed another way; then it must be whole.
                            for id in ids {
                                #expect(spool.find(id: id) != nil, "\(kind) \(call)#\(occurrence) \(error)")
                            }
                        } catch let failure as SpoolError {
                            #expect(!failure.description.contains("\n"), "one line: \(failure)")
                            // The old content of a rewrite is deleted by a thread of its own, soon after.
                            DeferredUnlink.waitUntilIdle()
                            let after = SpoolFiles.files(under: directory.path)
                            #expect(
                                after == before,
                                "\(kind): \(call)#\(occurrence) failing with \(error) left \(Set(after).subtracting(before).sorted())"
                            )
                        }
                    }
                }
            }
        }
        #expect(points > 0)
    }

    private func setUp(_ directory: TemporarySpool) throws -> Spool {
        let spool = try directory.open()
        try SpoolFiles.write(
            #"{"type":"t","queue":"fresh","id":"dropped-1"}"#,
            to: "\(directory.path)/incoming/drop.json"
        )
        return spool
    }
}
