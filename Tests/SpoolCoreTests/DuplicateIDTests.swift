import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// A second task with an id in use is refused, whether Spool generated the id or a producer gave it, in
/// every state of the first, until the first is purged.
@Suite struct DuplicateIDTests {
    enum Place: String, CaseIterable {
        case scheduled, active, running, done, dead
    }

    /// Puts a task with a generated id in `place` and returns its id and stored bytes.
    private func task(in place: Place, spool: Spool, clock: ManualClock) throws -> (String, [UInt8]) {
        let id = try spool.enqueue(
            NewTask(type: "t", runAt: place == .scheduled ? clock.now.adding(seconds: 600) : nil)
        )
        if place != .scheduled && place != .active {
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let claimed = try #require(try spool.claim(name, queue: "default"))
            switch place {
            case .done: try spool.complete(claimed, result: .string("ok"))
            case .dead: try spool.fail(claimed, error: "no", permanent: true)
            default: break
            }
        }
        let location = try #require(spool.find(id: id))
        #expect(location.state.rawValue == place.rawValue)
        return (id, try SpoolFiles.read("\(spool.root)/\(location.path)"))
    }

    @Test(arguments: Place.allCases)
    func aTaskDroppedAgainWithItsGeneratedIDIsRejected(place: Place) throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let (id, bytes) = try task(in: place, spool: spool, clock: clock)
            // An exported copy, due at another time.
            guard case .object(var members) = try JSONParser.parse(bytes) else {
                Issue.record("a stored task is an object")
                return
            }
            members.removeAll { $0.key == "run_at" }
            members.append(JSONMember("run_at", .string("2030-01-01T00:00:00Z")))
            let copy = JSONWriter.encode(.object(members))
            try SpoolFiles.write(copy, to: "\(directory.path)/incoming/copy.json")
            guard case .rejected(_, let reason) = try spool.ingest("copy.json") else {
                Issue.record("a second task with id \(id) was accepted")
                return
            }
            #expect(reason == "id: \"\(id)\" is already in use by a task in \(place.rawValue)/")
            let found = SpoolFiles.files(under: directory.path).filter { $0.contains(id) && !$0.hasPrefix("rejected/") }
            #expect(found.count == 1, "\(found)")
            #expect(!SpoolFiles.names("\(directory.path)/ids").contains(id), "no reservation is left behind")
            #expect(try SpoolFiles.read("\(directory.path)/\(#require(spool.find(id: id)).path)") == bytes)
            #expect {
                try spool.enqueue(json: copy)
            } throws: { error in
                (error as? SpoolError)?.code == .alreadyExists
            }
            #expect {
                try spool.enqueue(NewTask(id: id, type: "t"))
            } throws: { error in
                (error as? SpoolError)?.code == .alreadyExists
            }
        }
    }

    @Test func aCopiedDeadTaskDoesNotRunAgainPastItsAttempts() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(NewTask(type: "t", maxAttempts: 1))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            try spool.fail(#require(try spool.claim(name, queue: "default")), error: "boom")
            let dead = try #require(spool.find(id: id))
            #expect(dead.state == .dead)
            let bytes = try SpoolFiles.read("\(directory.path)/\(dead.path)")
            try SpoolFiles.write(bytes, to: "\(directory.path)/incoming/again.json")
            guard case .rejected = try spool.ingest("again.json") else {
                Issue.record("the copied dead task was accepted")
                return
            }
            #expect(try spool.oldestActive(queue: "default", limit: 1).names.isEmpty)
            #expect(try SpoolFiles.read("\(directory.path)/\(dead.path)") == bytes)
        }
    }

    @Test func onceTheFirstIsPurgedTheIDIsFreeAgain() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(NewTask(type: "t", retention: 0))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            try spool.complete(#require(try spool.claim(name, queue: "default")))
            clock.advance(by: 86_400 * 2)
            #expect(spool.runJanitor().purgedTasks == 1)
            #expect(try spool.enqueue(json: Array(#"{"id":"\#(id)","type":"t"}"#.utf8)).id == id)
        }
    }

    @Test func aULIDFromAnotherSpoolIsAccepted() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(type: "t"))
            let foreign = ULIDGenerator().next(at: SystemClock().now)
            #expect(try spool.enqueue(NewTask(id: foreign, type: "t")) == foreign)
            #expect {
                try spool.enqueue(NewTask(id: foreign, type: "t"))
            } throws: { error in
                (error as? SpoolError)?.code == .alreadyExists
            }
        }
    }

    @Test func theTimeOfAGeneratedID() {
        let time = Timestamp(milliseconds: 1_795_255_230_123)
        #expect(ULIDGenerator.time(of: ULIDGenerator().next(at: time)) == time)
        #expect(ULIDGenerator.time(of: "order-42") == nil)
        #expect(ULIDGenerator.time(of: "01kjpx8shr4tff59tdwh9edd1r") == nil, "Spool writes upper case")
        #expect(ULIDGenerator.time(of: "81KJPX8SHR4TFF59TDWH9EDD1R") == nil, "past the 48-bit time")
    }
}
