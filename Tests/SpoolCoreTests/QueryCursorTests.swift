import SpoolCore
import SpoolTestSupport
import Testing

/// Paging through a listing with ``TaskPage/next``: every task once, in the order of one big page.
@Suite struct QueryCursorTests {
    @Test(arguments: [false, true])
    func pagesTogetherListEveryTaskOnceInOrder(newestFirst: Bool) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            let now = spool.clock.now
            for index in 0..<120 {
                // Some due in the past (waiting), some over three days ahead, several in the same minute.
                let due = now.adding(seconds: Double((index % 40) * 4000 - 20_000))
                try spool.enqueue(NewTask(id: "t\(index)", queue: ["a", "b"][index % 2], type: "t", runAt: due))
            }
            for queue in ["a", "b"] {
                for _ in 0..<5 {
                    let task = try #require(try spool.claimNext(queue: queue))
                    try spool.complete(task)
                }
            }
            var query = TaskQuery()
            query.newestFirst = newestFirst
            query.limit = 1000
            let whole = spool.query(query).tasks.map(\.id)
            #expect(whole.count == 120)

            query.limit = 7
            var paged: [String] = []
            var pages = 0
            while pages < 40 {
                let page = spool.query(query)
                paged += page.tasks.map(\.id)
                pages += 1
                guard let next = page.next else {
                    #expect(!page.more)
                    break
                }
                #expect(page.more && page.tasks.count == 7)
                let token = next.token
                #expect(token.allSatisfy { $0.isHexDigit })
                let cursor = QueryCursor(token: token)
                #expect(cursor == next)
                query.after = cursor
                #expect(query.after?.newestFirst == newestFirst)
            }
            #expect(paged == whole)
            #expect(pages == 18)
        }
    }

    @Test func aTokenThatIsNotOneIsRefused() {
        for token in ["", "zz", "abc", String(repeating: "6f", count: 1500), "6f2030", "7820302030206120"] {
            #expect(QueryCursor(token: token) == nil, "\(token)")
        }
    }
}
