import SpoolCore
import SpoolTestSupport
import Testing

@Suite struct TaskFileNameTests {
    @Test func parsesTheNamesItWrites() throws {
        let name = TaskFileName(due: Timestamp(milliseconds: 1_795_300_000_123), id: "01JD2ZK6W0ABCDEFGHJKMNPQRS")
        #expect(name.description == "1795300000123.01JD2ZK6W0ABCDEFGHJKMNPQRS.json")
        #expect(TaskFileName(name.description) == name)
        #expect(TaskFileName("0000000000000.a.json") == TaskFileName(due: Timestamp(milliseconds: 0), id: "a"))
        let longest = String(repeating: "x", count: 64)
        #expect(TaskFileName("1795300000123.\(longest).json")?.id == longest)
    }

    @Test(arguments: [
        "", "1795300000123..json", "1795300000123.abc.jsn", "1795300000123.abc.json.tmp", "179530000012.abc.json",
        "17953000001234.abc.json", "179530000012x.abc.json", "1795300000123-abc.json", "1795300000123.a/b.json",
        "1795300000123.a.b.json", "1795300000123.ümlaut.json",
        "1795300000123.\(String(repeating: "x", count: 65)).json",
        ".1795300000123.abc.json",
    ])
    func refusesEveryOtherName(_ text: String) {
        #expect(TaskFileName(text) == nil)
    }

    @Test func readsTheDueTimeWithoutTheRest() {
        var name = "1795300000123.any thing at all"
        #expect(name.withUTF8 { TaskFileName.dueMilliseconds(utf8: $0) } == 1_795_300_000_123)
        name = "179530000012x.abc.json"
        #expect(name.withUTF8 { TaskFileName.dueMilliseconds(utf8: $0) } == nil)
    }

    @Test func comparesRawNamesAsNamesCompare() {
        let due = Timestamp(milliseconds: 1_795_300_000_123)
        let ids = [
            "a", "a-b", "a_b", "ab", "b", "A", "0", String(repeating: "z", count: 64), "01JD2ZK6W0ABCDEFGHJKMNPQRS",
        ]
        let names =
            ids.map { TaskFileName(due: due, id: $0) }
            + ids.map { TaskFileName(due: due.adding(milliseconds: 1), id: $0) }
            + ids.map { TaskFileName(due: due.adding(milliseconds: -1), id: $0) }
        for name in names {
            for other in names {
                var text = name.description
                let after = text.withUTF8 {
                    TaskFileName.sorts(utf8: $0, due: name.due.milliseconds, after: other)
                }
                #expect(after == (other < name), "\(name) after \(other)")
            }
        }
    }

    @Test func aListingOfNamesDueAtOneTimeKeepsTheSmallestIDs() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let due = Timestamp(milliseconds: 1_795_300_000_000)
            try SpoolFiles.makeDirectory("\(directory.path)/active/q")
            let names = (0..<500).map { TaskFileName(due: due, id: "id\($0)") }
            for name in names.shuffled() { try SpoolFiles.write("{}", to: "\(directory.path)/active/q/\(name)") }
            let (kept, complete) = try spool.oldestActive(queue: "q", limit: 40)
            #expect(kept == Array(names.sorted().prefix(40)))
            #expect(!complete)
        }
    }

    @Test func aListingKeepsTheOldestNamesOfALargeFolder() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let base = Timestamp(milliseconds: 1_795_300_000_000)
            try SpoolFiles.makeDirectory("\(directory.path)/active/q")
            var expected: [TaskFileName] = []
            // Due times in shuffled order, with names Spool does not pick up in between.
            for offset in (0..<3000).shuffled() {
                let name = TaskFileName(due: base.adding(milliseconds: Int64(offset)), id: "t\(offset)")
                if offset < 100 { expected.append(name) }
                try SpoolFiles.write("{}", to: "\(directory.path)/active/q/\(name)")
            }
            try SpoolFiles.write("{}", to: "\(directory.path)/active/q/.hidden.json")
            try SpoolFiles.write("{}", to: "\(directory.path)/active/q/0000000000000.not valid.json")
            let (names, complete) = try spool.oldestActive(queue: "q", limit: 100)
            #expect(names == expected.sorted())
            #expect(!complete)
            let all = try spool.oldestActive(queue: "q", limit: 5000)
            #expect(all.names.count == 3000)
            #expect(all.complete)
        }
    }
}
