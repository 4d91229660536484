import SpoolCore

extension TestWorker {
    /// `enqueue-group <spool> <group-id>`: enqueues ``crashGroup(id:)``, under `--crash-at` if given.
    static func enqueueGroup(_ arguments: Arguments) throws -> Int32 {
        guard arguments.positional.count == 2 else { throw UsageError("enqueue-group wants <spool> <group-id>") }
        let crash = try arguments.crashPoint()
        let spool = try Spool(root: arguments.positional[0])
        let group = crashGroup(id: arguments.positional[1])
        let receipt = try withCrashPlan(crash) { try spool.enqueue(group: group) }
        print("group \(receipt.id) \(receipt.members.joined(separator: " "))")
        return 0
    }

    /// The group the workflow crash tests enqueue (they build the same one in-process to count its system
    /// calls): three members of type "test" in queue "default" with payload `{"n": i}`, the first with the
    /// given id `<id>-m0` (so that its creation reserves it), the others with generated ids; and a callback
    /// of type "callback" in queue "callback".
    static func crashGroup(id: String) -> NewGroup {
        NewGroup(
            id: id,
            members: (0..<3).map { index in
                NewTask(
                    id: index == 0 ? "\(id)-m0" : nil,
                    queue: "default",
                    type: "test",
                    payload: .object([JSONMember("n", .integer(index))])
                )
            },
            callback: [NewTask(queue: "callback", type: "callback")]
        )
    }
}
