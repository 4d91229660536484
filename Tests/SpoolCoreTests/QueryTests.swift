import SpoolCore
import SpoolTestSupport
import Testing

/// ``Spool/query(_:)``: the first page of a large spool, in order, without holding the spool in memory.
@Suite struct QueryTests {
    @Test func thePageIsTheEarliestOrTheLatestOfEveryQueueAndStateInOrder() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            let now = spool.clock.now
            var generator = SystemRandomNumberGenerator()
            var dues: [(due: Timestamp, id: String)] = []
            for index in 0..<600 {
                // Due from an hour ago (straight to active/) to three days ahead, over three queues.
                let due = now.adding(seconds: Double(Int.random(in: -3600...259_200, using: &generator)))
                let id = "t\(index)"
                try spool.enqueue(NewTask(id: id, queue: ["a", "b", "c"][index % 3], type: "t", runAt: due))
                dues.append((due, id))
            }
            let order = dues.sorted { ($0.due, $0.id) < ($1.due, $1.id) }.map(\.id)
            var query = TaskQuery()
            query.limit = 25
            var page = spool.query(query)
            #expect(page.more)
            #expect(page.tasks.map(\.id) == Array(order.prefix(25)) || sameDues(page.tasks, order.prefix(25), dues))
            query.newestFirst = true
            page = spool.query(query)
            #expect(sameDues(page.tasks, order.suffix(25).reversed(), dues))
            query.limit = 600
            page = spool.query(query)
            #expect(!page.more && page.tasks.count == 600)
            query.limit = 1000
            query.newestFirst = false
            query.due = TimeRange(from: now.adding(seconds: 86_400), until: now.adding(seconds: 172_800))
            page = spool.query(query)
            let inRange = dues.filter { query.due.contains($0.due) }
            #expect(page.tasks.count == inRange.count && !page.more)
            #expect(page.tasks.allSatisfy { $0.due.map(query.due.contains) ?? false })
        }
    }

    /// Two tasks due in the same millisecond may be listed in either order.
    private func sameDues(
        _ tasks: [TaskLocation],
        _ ids: some Sequence<String>,
        _ dues: [(due: Timestamp, id: String)]
    ) -> Bool {
        let due = Dictionary(uniqueKeysWithValues: dues.map { ($0.id, $0.due) })
        return tasks.map { due[$0.id] } == ids.map { due[$0] }
    }

    @Test func contentFiltersReadOnlyWhatWouldBeListed() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            for index in 0..<50 {
                try spool.enqueue(
                    NewTask(
                        id: "t\(index)",
                        type: index.isMultiple(of: 10) ? "rare" : "common",
                        payload: .object([JSONMember("n", .integer(Int64(index)))])
                    )
                )
            }
            var query = TaskQuery()
            query.type = "rare"
            query.limit = 3
            let page = spool.query(query)
            #expect(page.tasks.map(\.id).sorted() == ["t0", "t10", "t20"] && page.more)
            query.type = nil
            query.payload = [(["n"], .integer(42))]
            #expect(spool.query(query).tasks.map(\.id) == ["t42"])
        }
    }
}
