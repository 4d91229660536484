import SpoolCore
import SpoolWatch

/// The sender: enqueues a chain and a chord, waits for each result (at most ``timeout`` seconds), and
/// prints it.
enum Sender {
    /// Seconds to wait for a result.
    static let timeout = 30.0

    static func run(spoolRoot: String) async throws {
        let spool = try Spool(root: spoolRoot)

        // A chain: add(1, 1), then multiply(5), whose payload gets add's result appended: multiply(5, 2).
        let chain = try spool.enqueue(chain: [
            NewTask(type: "add", payload: integers(1, 1)),
            NewTask(type: "multiply", payload: integers(5)),
        ])
        let steps = try await spool.waitUntilFinished(chain: chain[0], timeout: timeout)
        // The chain's result is its last step's; a step that did not succeed has the reason.
        let end = steps.first { $0.state != .done } ?? steps[steps.count - 1]
        print("chain add(1, 1) -> multiply(5): \(try result(of: end.id, in: spool))")

        // A chord: add(i, i) for i in 1...10 in parallel, then sum, whose payload is their results in order.
        let group = try spool.enqueue(
            group: NewGroup(
                members: (1...10).map { NewTask(type: "add", payload: integers($0, $0)) },
                callback: [NewTask(type: "sum")]
            )
        )
        let status = try await spool.waitUntilFinished(group: group.id, timeout: timeout)
        if let failed = status.members.first(where: { $0.state == .dead }) {
            throw ExampleError(
                "member \(failed.id) failed (\(failed.error ?? "")): sum waits until it is retried and succeeds"
            )
        }
        guard let callback = status.manifest.callback else { throw ExampleError("the group has no callback") }
        print("group add(i, i) for i in 1...10 -> sum: \(try result(of: callback, in: spool))")
    }

    /// A payload of integer arguments.
    static func integers(_ values: Int...) -> JSONValue {
        .array(values.map { .integer($0) })
    }

    /// The result of task `id`, as JSON text, once it succeeded.
    static func result(of id: String, in spool: Spool) throws -> String {
        guard let location = spool.find(id: id) else {
            throw ExampleError("task \(id) was not enqueued within \(timeout) s")
        }
        let record = try spool.record(at: location)
        switch location.state {
        case .done:
            return ExampleTasks.text(record.result ?? .null)
        case .dead:
            throw ExampleError("task \(id) (\(record.type)) is dead: \(record.stateReason ?? "no reason recorded")")
        default:
            throw ExampleError(
                "task \(id) (\(record.type)) is \(location.state.rawValue): no result within \(timeout) s"
            )
        }
    }
}
