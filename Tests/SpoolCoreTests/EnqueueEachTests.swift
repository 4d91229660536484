import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// ``Spool/enqueueEach(documents:)``: one flush for a group, each document accepted or refused on its own.
@Suite struct EnqueueEachTests {
    @Test func eachDocumentIsAcceptedOrRefusedAlone() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(id: "taken", queue: "q", type: "t"))
            try spool.enqueue(NewTask(queue: "q", type: "t", uniqueKey: "held"))
            let documents = [
                #"{"id":"a","queue":"q","type":"t"}"#,
                #"{"queue":"q","type":"t"}"#,
                "not json",
                #"{"id":"taken","queue":"q","type":"t"}"#,
                #"{"id":"b","queue":"q","type":"t","unique_key":"held"}"#,
                #"{"id":"a","queue":"q","type":"t"}"#,
                #"{"id":"c","queue":"q","type":"t","unique_key":"fresh"}"#,
                #"{"id":"d","queue":"q","type":"t","unique_key":"fresh"}"#,
                #"{"id":"e","queue":"q","type":"t","delay":600}"#,
                #"{"queue":"Q","type":"t"}"#,
            ].map { (document: Array($0.utf8), trace: TaskTrace?.none) }
            let results = spool.enqueueEach(documents)
            let outcomes = results.map { result -> String in
                switch result {
                case .success(let record): "ok \(record.id.count == 26 ? "generated" : record.id)"
                case .failure(let error): "\(error.code)"
                }
            }
            #expect(
                outcomes == [
                    "ok a", "ok generated", "invalid argument", "already exists", "already exists", "already exists",
                    "ok c", "already exists", "ok e", "invalid argument",
                ]
            )
            #expect(spool.find(id: "a")?.state == .active && spool.find(id: "e")?.state == .scheduled)
            #expect(spool.find(id: "b") == nil && spool.find(id: "d") == nil)
            let total = spool.stats().queues.reduce(0) { $0 + $1.counts.values.reduce(0, +) }
            #expect(total == 6, "taken, the holder of held, a, the generated one, c and e")
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty, "no staging file left")
        }
    }
}
