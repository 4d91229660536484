import SpoolCore
import SpoolSystem
import SpoolTestSupport

/// One producer of a cluster run: enqueues its share of the tasks on one mount, through the library opened
/// at that mount and by drops into its `incoming/`.
///
/// Task `n` of the producer is due 2 to 30 seconds later when `n` is odd, at once otherwise; of type
/// `retry1` (its first attempt exits 75) when `n % 7 == 3`, else of type `slow` (it takes half a second) when
/// `n % 13 == 6`, else of type `ok`; and dropped with the id
/// `<tag>-<n>` when `n % 10 == 5`; the other nine of each ten are enqueued through the library as one
/// batch (one flush), with generated ids.
struct ClusterProducer: Sendable {
    let spool: String
    let tag: String
    let count: Int

    /// Enqueues the tasks on a thread of its own, so that the three producers and the test's timing run at
    /// once whatever the size of the cooperative pool.
    ///
    /// - Returns: The type of each task acknowledged, by id.
    func run() async throws -> [String: String] {
        try await withCheckedThrowingContinuation { continuation in
            OSThread.start { continuation.resume(with: Result { try produce() }) }
        }
    }

    private func produce() throws -> [String: String] {
        let library = try Spool(root: spool)
        var acknowledged: [String: String] = [:]
        for start in stride(from: 0, to: count, by: 10) {
            var batch: [NewTask] = []
            for index in start..<min(start + 10, count) {
                let type = index % 7 == 3 ? "retry1" : index % 13 == 6 ? "slow" : "ok"
                let delay = index % 2 == 1 ? Double(2 + index / 2 % 29) : nil
                if index % 10 == 5 {
                    let id = "\(tag)-\(index)"
                    try drop(id: id, type: type, delay: delay)
                    acknowledged[id] = type
                } else {
                    batch.append(
                        NewTask(
                            queue: ClusterRun.queue,
                            type: type,
                            payload: .object([JSONMember("producer", .string(tag)), JSONMember("n", .integer(index))]),
                            delay: delay,
                            maxAttempts: 5
                        )
                    )
                }
            }
            for (id, task) in zip(try library.enqueue(contentsOf: batch), batch) { acknowledged[id] = task.type }
        }
        return acknowledged
    }

    /// Writes a task file under a name the watchers ignore (it starts with a dot), then renames it into place.
    private func drop(id: String, type: String, delay: Double?) throws {
        let document =
            #"{"id": "\#(id)", "queue": "\#(ClusterRun.queue)", "type": "\#(type)", "max_attempts": 5"#
            + (delay.map { #", "delay": \#(Int($0))"# } ?? "") + "}\n"
        let incoming = "\(spool)/\(SpoolLayout.incoming)"
        try SpoolFiles.write(document, to: "\(incoming)/.\(id).json")
        try SpoolFiles.rename("\(incoming)/.\(id).json", to: "\(incoming)/\(id).json")
    }
}
