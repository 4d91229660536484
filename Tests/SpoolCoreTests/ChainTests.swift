import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

@Suite struct ChainTests {
    @Test func eachStepIsEnqueuedWhenTheOneBeforeSucceedsWithItsResult() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try spool.enqueue(chain: [
                NewTask(type: "add", payload: .array([.integer(1), .integer(2)])),
                NewTask(type: "multiply", payload: .array([.integer(4)])),
                NewTask(type: "report", payload: .object([JSONMember("to", .string("ops"))])),
            ])
            #expect(ids.count == 3)
            #expect(Set(ids).count == 3)
            #expect(try spool.chain(id: ids[0]).map(\.state) == [.active, nil, nil])

            let add = try #require(try spool.claimNext())
            #expect(add.record.id == ids[0])
            #expect(try spool.claimNext() == nil)
            try spool.complete(add, result: .integer(3))

            let multiply = try #require(try spool.claimNext())
            #expect(multiply.record.id == ids[1])
            #expect(multiply.record.type == "multiply")
            #expect(multiply.record.payload == .array([.integer(4), .integer(3)]))
            #expect(multiply.record.parent == ids[0])
            #expect(multiply.record.workflow == ids[0])
            try spool.complete(multiply, result: .integer(12))

            let report = try #require(try spool.claimNext())
            #expect(report.record.id == ids[2])
            #expect(report.record.payload["parent_result"] == .integer(12))
            #expect(report.record.payload["to"] == .string("ops"))
            #expect(report.record.workflow == ids[0])
            #expect(report.record.onSuccess == nil)
            try spool.complete(report)
            #expect(try spool.chain(id: ids[0]).map(\.state) == [.done, .done, .done])
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func aFailedStepEndsTheChainOrRunsItsOnFailure() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try spool.enqueue(chain: [
                NewTask(type: "fetch", maxAttempts: 1, onFailure: [NewTask(queue: "ops", type: "alert")]),
                NewTask(type: "store"),
            ])
            let fetch = try #require(try spool.claimNext())
            try spool.fail(fetch, error: "connection refused")
            #expect(try spool.claimNext() == nil)
            #expect(spool.find(id: ids[1]) == nil)
            let alert = try #require(try spool.claimNext(queue: "ops"))
            #expect(alert.record.type == "alert")
            #expect(alert.record.parent == ids[0])
            #expect(alert.record.payload.arrayValue?.first?["error"] == .string("connection refused"))
            #expect(alert.record.payload.arrayValue?.first?["id"] == .string(ids[0]))
            try spool.complete(alert)

            // A failed step retried by hand lets the chain go on.
            try spool.retryNow(id: ids[0])
            let again = try #require(try spool.claimNext())
            try spool.complete(again, result: .string("page"))
            let store = try #require(try spool.claimNext())
            #expect(store.record.id == ids[1])
            #expect(store.record.payload == .array([.string("page")]))
        }
    }

    @Test func aCancelledStepRunsNothingAfterIt() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try spool.enqueue(chain: [
                NewTask(type: "a", onFailure: [NewTask(type: "on-failure")]),
                NewTask(type: "b"),
            ])
            let report = try spool.cancel(chain: ids[0])
            #expect(report.cancelled == 1)
            #expect(try spool.chain(id: ids[0]).map(\.state) == [.dead, nil])
            #expect(try spool.claimNext() == nil)
        }
    }

    @Test func theJanitorPlacesTheNextStepOfAProcessThatDiedAfterTheFinish() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try spool.enqueue(chain: [NewTask(type: "a"), NewTask(type: "b")])
            try spool.complete(try #require(try spool.claimNext()), result: .integer(1))
            // As if the process had died after moving the first step to done/, before placing the next: its
            // staged copy is back in tmp/ under a dead process's name, its reservation gone.
            let next = try #require(spool.find(id: ids[1]))
            let dead = WorkerName(host: WorkerName.current.host, pid: 999_999, startTicks: 1)
            let staged = "next.\(dead).1.done"
            try SpoolFiles.rename("\(directory.path)/\(next.path)", to: "\(directory.path)/tmp/\(staged)")
            try Syscall.unlink("\(directory.path)/ids/\(ids[1])", in: .currentWorkingDirectory)
            #expect(spool.find(id: ids[1]) == nil)
            let report = spool.runJanitor(atStart: true)
            #expect(report.workflowSteps == 1)
            #expect(spool.find(id: ids[1])?.state == .active)
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
            // A second copy for the same finish (a power loss brings back the staging name) is dropped.
            let placed = try #require(spool.find(id: ids[1]))
            try SpoolFiles.write(
                try SpoolFiles.read("\(directory.path)/\(placed.path)"),
                to: "\(directory.path)/tmp/\(staged)"
            )
            _ = spool.runJanitor(atStart: true)
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
            #expect(try spool.claimNext()?.record.id == ids[1])
            #expect(try spool.claimNext() == nil)
        }
    }

    @Test func theJanitorRemovesTheNextStepOfAFinishThatNeverHappened() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let ids = try spool.enqueue(chain: [NewTask(type: "a"), NewTask(type: "b")])
            // A process claims the first step, stages the next one, and dies before its finishing move.
            let dead = WorkerName(host: WorkerName.current.host, pid: 999_999, startTicks: 1)
            let other = try directory.open(clock: clock, worker: dead)
            #expect(try other.claimNext()?.record.id == ids[0])
            let staged =
                #"{"id": "\#(ids[1])", "queue": "default", "type": "b", "payload": [1], "parent": "\#(ids[0])", "created_at": "\#(clock.now.rfc3339)"}"#
            try SpoolFiles.write(staged + "\n", to: "\(directory.path)/tmp/next.\(dead).1.done")
            let report = spool.runJanitor(atStart: true)
            #expect(report.orphanedLeases == 1)
            #expect(spool.find(id: ids[1]) == nil)
            #expect(spool.find(id: ids[0])?.state == .scheduled)
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func aStepWhoseIDIsInUseIsRefusedAtAcceptance() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(id: "report", type: "other"))
            #expect {
                try spool.enqueue(chain: [NewTask(type: "a"), NewTask(id: "report", type: "b")])
            } throws: { error in
                (error as? SpoolError)?.message == #"on_success: step 1: id: "report" is already in use"#
            }
            #expect {
                try spool.enqueue(contentsOf: [NewTask(type: "a", onFailure: [NewTask(id: "report", type: "b")])])
            } throws: { error in
                (error as? SpoolError)?.message == #"task 1 of 1: on_failure: step 1: id: "report" is already in use"#
            }
            try SpoolFiles.write(
                #"{"chain": [{"type": "a"}, {"type": "b", "id": "report"}]}"#,
                to: "\(directory.path)/incoming/chain.json"
            )
            guard case .rejected(_, let reason) = try spool.ingest("chain.json") else {
                Issue.record("a chain drop whose step id is in use is rejected")
                return
            }
            #expect(reason == #"on_success: step 1: id: "report" is already in use"#)
            #expect(try spool.claimNext()?.record.type == "other")
            #expect(try spool.claimNext() == nil)
        }
    }

    @Test func passResultFalseKeepsThePayload() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(chain: [
                NewTask(type: "a"), NewTask(type: "b", payload: .array([.integer(7)]), passResult: false),
            ])
            try spool.complete(try #require(try spool.claimNext()), result: .integer(1))
            #expect(try spool.claimNext()?.record.payload == .array([.integer(7)]))
        }
    }

    @Test func aDelayedStepIsDueAfterTheFinishOfTheOneBefore() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let ids = try spool.enqueue(chain: [NewTask(type: "a"), NewTask(type: "b", delay: 600)])
            let first = try #require(try spool.claimNext())
            clock.advance(by: 3600)
            try spool.complete(first)
            let location = try #require(spool.find(id: ids[1]))
            #expect(location.state == .scheduled)
            #expect(location.due == clock.now.adding(seconds: 600))
        }
    }

    @Test func aChainDropIsIngestedAsItsFirstTask() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write(
                #"{"chain": [{"type": "add", "payload": [1, 2]}, {"type": "multiply", "payload": [3]}]}"#,
                to: "\(directory.path)/incoming/chain.json"
            )
            guard case .accepted(let id, _) = try spool.ingest("chain.json") else {
                Issue.record("a chain drop is accepted")
                return
            }
            let record = try spool.record(at: try #require(spool.find(id: id)))
            #expect(record.type == "add")
            #expect(WorkflowTemplate.ids(of: record.onSuccess).count == 1)
        }
    }

    @Test(arguments: [
        (#"{"type": "a", "on_success": 5}"#, "on_success: must be a task object or a non-empty list of them"),
        (#"{"type": "a", "on_success": []}"#, "on_success: must be a task object or a non-empty list of them"),
        (#"{"type": "a", "on_success": [{"payload": 1}]}"#, "on_success: step 1: type: required"),
        (
            #"{"type": "a", "on_success": [{"type": "b", "on_success": {"type": "c"}}, {"type": "d"}]}"#,
            "on_success: step 1: on_success: only the last step of a list may have its own"
        ),
        (
            #"{"type": "a", "on_success": {"type": "b", "attempts": []}}"#,
            "on_success: step 1: attempts: written by Spool, not allowed in a workflow step"
        ),
        (
            #"{"type": "a", "on_success": {"type": "b", "unique_key": "k"}}"#,
            "on_success: step 1: unique_key: not supported in a workflow step"
        ),
        (#"{"type": "a", "pass_result": 1}"#, "pass_result: must be true or false, not a number"),
        (#"{"chain": []}"#, "chain: must be a non-empty list of tasks"),
        (
            #"{"chain": [{"type": "a"}], "queue": "q"}"#,
            "chain: a chain document holds only \"chain\", a list of tasks, not \"queue\""
        ),
        (#"{"type": "a", "group": "g"}"#, "group_index: group and group_index go together"),
    ])
    func invalidWorkflowFieldsAreRefusedWithTheirReason(document: String, reason: String) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect {
                try spool.enqueue(json: Array(document.utf8))
            } throws: { error in
                let error = error as? SpoolError
                return error?.code == .invalidArgument && error?.message == reason
            }
        }
    }

    /// A given id is reserved even when Spool generates ids for the task's steps: a second task with it is
    /// refused, enqueued or dropped.
    @Test func aGivenIDIsReservedWhenItsStepsGetGeneratedIDs() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let document = #"{"id": "order-1", "type": "a", "on_success": {"type": "b"}}"#
            try spool.enqueue(json: Array(document.utf8))
            #expect {
                try spool.enqueue(json: Array(document.utf8))
            } throws: { error in
                (error as? SpoolError)?.code == .alreadyExists
            }
            let drop = #"{"chain": [{"id": "order-2", "type": "a"}, {"type": "b"}]}"#
            for name in ["first.json", "second.json"] {
                try SpoolFiles.write(drop, to: "\(directory.path)/incoming/\(name)")
            }
            #expect(try spool.ingest("first.json") == .accepted(id: "order-2", queue: "default"))
            #expect(
                try spool.ingest("second.json")
                    == .rejected(name: "second.json", reason: #"id: "order-2" is already in use"#)
            )
        }
    }

    @Test func nestedOnSuccessIsStoredAsAFlatListWithIDs() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let record = try spool.enqueue(
                json: Array(
                    #"{"type": "a", "on_success": {"type": "b", "on_success": {"type": "c", "id": "last"}}}"#.utf8
                )
            )
            let steps = try #require(record.onSuccess?.arrayValue)
            #expect(steps.map { $0["type"] } == [.string("b"), .string("c")])
            #expect(steps[1]["id"] == .string("last"))
            #expect(steps[0]["id"]?.stringValue.map(Names.isValidTaskID) == true)
            #expect(steps.allSatisfy { $0["on_success"] == nil })
        }
    }
}
