import SpoolCore

#if canImport(Glibc)
import Glibc
#endif

/// The producer side of HOSTS, run as a child process (`spool-bench --produce ROOT`): enqueues `count`
/// tasks of type `noop`, one library call each at the default durability, into the spool at `root` (a
/// host's own mount of the spool).
///
/// It writes `ready` once the spool is open, starts when a line arrives on its standard input, and ends
/// with a line giving the count and the times of its first and last enqueue.
struct BenchProducer {
    let root: String
    let count: Int
    /// Spreads the payloads' order numbers apart, so that each producer's tasks differ.
    let offset: Int

    func run() throws {
        let spool = try Spool(root: root)
        emit(["ready": .bool(true)])
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1, byte != UInt8(ascii: "\n") {}
        let start = BenchClock.microseconds()
        for index in 0..<count {
            try spool.enqueue(NewTask(type: "noop", payload: BenchRun.payload(offset + index)))
        }
        emit([
            "final": .bool(true), "enqueued": .integer(count), "start_us": .integer(Int(start)),
            "end_us": .integer(Int(BenchClock.microseconds())),
        ])
    }

    private func emit(_ members: KeyValuePairs<String, JSONValue>) {
        let line = JSONWriter.encode(.object(members.map { JSONMember($0.key, $0.value) })) + [UInt8(ascii: "\n")]
        line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
    }
}
