import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

@Suite struct GroupTests {
    /// Claims every waiting task of `queue`, by id.
    private func claimAll(_ spool: Spool, queue: String = "default") throws -> [String: ClaimedTask] {
        var claimed: [String: ClaimedTask] = [:]
        while let task = try spool.claimNext(queue: queue) { claimed[task.record.id] = task }
        return claimed
    }

    @Test func theCallbackRunsOnceWithEveryResultInMemberOrder() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(
                    members: (1...3).map { NewTask(type: "add", payload: .array([.integer($0), .integer($0)])) },
                    callback: [NewTask(type: "sum")]
                )
            )
            #expect(receipt.members.count == 3)
            #expect(receipt.callback.count == 1)
            var members = try claimAll(spool)
            #expect(Set(members.keys) == Set(receipt.members))
            #expect(members[receipt.members[1]]?.record.group == receipt.id)
            #expect(members[receipt.members[1]]?.record.groupIndex == 1)
            // Finished in reverse order: the results still come in member order.
            for (index, id) in receipt.members.enumerated().reversed() {
                #expect(try spool.claimNext() == nil)
                let member = try #require(members[id])
                members[id] = nil
                try spool.complete(member, result: .integer(2 * (index + 1)))
            }
            let callback = try #require(try spool.claimNext())
            #expect(callback.record.id == receipt.callback[0])
            #expect(callback.record.type == "sum")
            #expect(callback.record.payload == .array([.integer(2), .integer(4), .integer(6)]))
            #expect(callback.record.workflow == receipt.id)
            #expect(try spool.claimNext() == nil)
            let status = try spool.group(id: receipt.id)
            #expect(status.succeeded == 3)
            #expect(status.callback == .enqueued)
            #expect(status.members.map(\.result) == [.integer(2), .integer(4), .integer(6)])
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func aFailedMemberHoldsTheCallbackUntilItIsRetriedAndSucceeds() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(
                    members: [NewTask(type: "a", maxAttempts: 1), NewTask(type: "b")],
                    callback: [NewTask(type: "c", payload: .array([.string("first")]))]
                )
            )
            let members = try claimAll(spool)
            try spool.fail(try #require(members[receipt.members[0]]), error: "boom")
            try spool.complete(try #require(members[receipt.members[1]]), result: .string("b"))
            #expect(try spool.claimNext() == nil)
            #expect(try spool.group(id: receipt.id).callback == .held)
            #expect(try spool.group(id: receipt.id).members[0].error == "boom")

            try spool.retryNow(id: receipt.members[0])
            try spool.complete(try #require(try spool.claimNext()), result: .string("a"))
            let callback = try #require(try spool.claimNext())
            #expect(callback.record.payload == .array([.string("first"), .array([.string("a"), .string("b")])]))
            #expect(try spool.group(id: receipt.id).failed == 0)
        }
    }

    @Test func allFinishedRunsTheCallbackWhateverTheOutcomes() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(
                    members: [NewTask(type: "a", maxAttempts: 1), NewTask(type: "b")],
                    callback: [NewTask(type: "c", payload: .object([]))],
                    runCallback: .allFinished
                )
            )
            let members = try claimAll(spool)
            try spool.complete(try #require(members[receipt.members[1]]), result: .integer(1))
            try spool.fail(try #require(members[receipt.members[0]]), error: "boom")
            let callback = try #require(try spool.claimNext())
            #expect(callback.record.payload["group_results"] == .array([.null, .integer(1)]))
            #expect(callback.record.payload["group_errors"] == .array([.string("boom"), .null]))
        }
    }

    @Test func cancellingAGroupCancelsItsMembersAndItsCallback() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(members: [NewTask(type: "a"), NewTask(type: "b")], callback: [NewTask(type: "c")])
            )
            let first = try #require(try spool.claimNext())
            try spool.complete(first)
            let report = try spool.cancel(group: receipt.id)
            #expect(report.cancelled == 1)
            #expect(report.callbackCancelled)
            #expect(try spool.claimNext() == nil)
            let status = try spool.group(id: receipt.id)
            #expect(status.callback == .cancelled)
            #expect(status.succeeded == 1)
            #expect(status.failed == 1)
        }
    }

    /// A member given as a chain is done when its chain is: its result is the last step's, and the callback
    /// waits for it.
    @Test func aMemberGivenAsAChainReportsWhenItsChainEnds() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(
                    members: [NewTask(type: "fetch", onSuccess: [NewTask(type: "parse")]), NewTask(type: "b")],
                    callback: [NewTask(type: "sum")]
                )
            )
            let members = try claimAll(spool)
            try spool.complete(try #require(members[receipt.members[0]]), result: .integer(1))
            try spool.complete(try #require(members[receipt.members[1]]), result: .integer(2))
            #expect(try spool.group(id: receipt.id).pending == 1)
            let parse = try #require(try spool.claimNext())
            #expect(parse.record.type == "parse")
            #expect(parse.record.group == receipt.id)
            #expect(parse.record.groupIndex == 0)
            #expect(try spool.claimNext() == nil, "the callback waits for the member's chain")
            try spool.complete(parse, result: .integer(3))
            let callback = try #require(try spool.claimNext())
            #expect(callback.record.payload == .array([.integer(3), .integer(2)]))
            #expect(try spool.group(id: receipt.id).members[0].result == .integer(3))
        }
    }

    /// Cancelling a group cancels the step that a member given as a chain has reached.
    @Test func cancellingAGroupCancelsTheStepAMemberChainReached() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(
                    members: [NewTask(type: "fetch", onSuccess: [NewTask(type: "parse")])],
                    callback: [NewTask(type: "sum")]
                )
            )
            try spool.complete(try #require(try spool.claimNext()))
            let parse = try #require(spool.find(id: try spool.chain(id: receipt.members[0])[1].id))
            #expect(parse.state == .active)
            let report = try spool.cancel(group: receipt.id)
            #expect(report.cancelled == 1)
            #expect(try spool.claimNext() == nil)
            let status = try spool.group(id: receipt.id)
            #expect(status.failed == 1)
            #expect(status.callback == .cancelled)
        }
    }

    @Test func aGroupWithoutCallbackIsTrackedAndCleanedUpAfterItsRetention() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let receipt = try spool.enqueue(
                group: NewGroup(id: "nightly", members: [NewTask(type: "a")], retention: 60)
            )
            #expect(receipt.id == "nightly")
            #expect(spool.groupIDs() == ["nightly"])
            #expect(throws: SpoolError.self) {
                try spool.enqueue(group: NewGroup(id: "nightly", members: [NewTask(type: "a")]))
            }
            try spool.complete(try #require(try spool.claimNext()))
            #expect(try spool.group(id: "nightly").callback == GroupCallbackState.none)
            clock.advance(by: 30)
            _ = spool.runJanitor(atStart: true)
            #expect(spool.groupIDs() == ["nightly"])
            clock.advance(by: 3600)
            _ = spool.runJanitor(atStart: true)
            #expect(spool.groupIDs().isEmpty)
        }
    }

    @Test func aHeldGroupGoesAfterItsRetention() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let receipt = try spool.enqueue(
                group: NewGroup(
                    members: [NewTask(type: "a", maxAttempts: 1)],
                    callback: [NewTask(type: "c")],
                    retention: 60
                )
            )
            try spool.fail(try #require(try spool.claimNext()), error: "boom")
            #expect(try spool.group(id: receipt.id).callback == .held)
            clock.advance(by: 30)
            _ = spool.runJanitor(atStart: true)
            #expect(spool.groupIDs() == [receipt.id])
            clock.advance(by: 60)
            _ = spool.runJanitor(atStart: true)
            #expect(spool.groupIDs().isEmpty)
        }
    }

    @Test func aMemberOrStepWithDeleteAtIsRefused() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect {
                try spool.enqueue(groupDocument: Array(#"{"group": [{"type": "a", "delete_at": 1999999999}]}"#.utf8))
            } throws: { error in
                (error as? SpoolError)?.message
                    == "group: member 1: step 1: delete_at: not supported in a workflow step"
            }
        }
    }

    @Test func aGroupDropIsIngestedWithItsMembers() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let document = #"""
                {"id": "g1", "group": [{"type": "add", "payload": [1, 1]}, {"type": "add", "payload": [2, 2], "id": "m2"}],
                 "callback": [{"type": "sum"}, {"type": "notify"}], "run_callback": "all_finished"}
                """#
            try SpoolFiles.write(document, to: "\(directory.path)/incoming/group.json")
            guard case .accepted(let id, _) = try spool.ingest("group.json") else {
                Issue.record("a group drop is accepted")
                return
            }
            #expect(id == "g1")
            let status = try spool.group(id: "g1")
            #expect(status.manifest.members.count == 2)
            #expect(status.manifest.members[1] == "m2")
            #expect(status.manifest.runCallback == .allFinished)
            #expect(spool.find(id: "m2")?.state == .active)
            #expect(SpoolFiles.names("\(directory.path)/incoming").isEmpty)
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
            #expect(SpoolFiles.names("\(directory.path)/groups/g1").sorted() == ["callback.json", "group.json"])

            // The same id again is rejected with the reason.
            try SpoolFiles.write(document, to: "\(directory.path)/incoming/again.json")
            guard case .rejected(_, let reason) = try spool.ingest("again.json") else {
                Issue.record("a second group with the same id is rejected")
                return
            }
            #expect(reason.contains("in use"))
        }
    }

    @Test func theJanitorEnqueuesACallbackTakenByAProcessThatDied() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(members: [NewTask(type: "a")], callback: [NewTask(type: "c")])
            )
            // A process takes the callback, then dies before enqueueing it.
            let dead = WorkerName(host: WorkerName.current.host, pid: 999_999, startTicks: 1)
            let folder = "\(directory.path)/groups/\(receipt.id)"
            try SpoolFiles.rename("\(folder)/callback.json", to: "\(folder)/callback.\(dead).json")
            try spool.complete(try #require(try spool.claimNext()))
            #expect(try spool.claimNext() == nil)
            #expect(try spool.group(id: receipt.id).callback == .enqueuing)
            let report = spool.runJanitor(atStart: true)
            #expect(report.workflowSteps == 1)
            #expect(try spool.claimNext()?.record.id == receipt.callback[0])
        }
    }

    /// A process that dies between recording the last member's result and taking the callback leaves a
    /// complete group with its callback in place: it waits for the janitor, it is not held.
    @Test func aCompleteGroupWhoseCallbackNobodyTookIsWaitingNotHeld() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(members: [NewTask(type: "a")], callback: [NewTask(type: "c")])
            )
            // The callback is out of the folder while the member finishes, so that nobody takes it.
            let folder = "\(directory.path)/groups/\(receipt.id)"
            try SpoolFiles.rename("\(folder)/callback.json", to: "\(directory.path)/callback.json")
            try spool.complete(try #require(try spool.claimNext()), result: .integer(1))
            try SpoolFiles.rename("\(directory.path)/callback.json", to: "\(folder)/callback.json")
            let status = try spool.group(id: receipt.id)
            #expect(status.succeeded == 1)
            #expect(status.callback == .waiting)
            #expect(try spool.claimNext() == nil)
            _ = spool.runJanitor(atStart: true)
            let callback = try #require(try spool.claimNext())
            #expect(callback.record.id == receipt.callback[0])
            #expect(callback.record.payload == .array([.integer(1)]))
        }
    }

    @Test func theJanitorPlacesMembersWhoseCreatorDied() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(id: "g", members: [NewTask(type: "a"), NewTask(type: "b")])
            )
            // As if the creator had died before placing its second member.
            let member = try #require(spool.find(id: receipt.members[1]))
            let folder = "\(directory.path)/groups/g"
            try SpoolFiles.rename("\(directory.path)/\(member.path)", to: "\(folder)/m.1.json")
            let manifest = "\(folder)/group.json"
            let dead = WorkerName(host: WorkerName.current.host, pid: 999_999, startTicks: 1)
            let text = String(decoding: try SpoolFiles.read(manifest), as: UTF8.self)
            let moved = text.split(separator: "\(WorkerName.current)", omittingEmptySubsequences: false).joined(
                separator: "\(dead)"
            )
            try SpoolFiles.write(moved, to: manifest)
            _ = spool.runJanitor(atStart: true)
            #expect(spool.find(id: receipt.members[1])?.state == .active)
            #expect(!SpoolFiles.names(folder).contains("m.1.json"))
        }
    }

    @Test func aCallbackWhoseIDIsInUseIsRefusedNotRunTwice() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(id: "report", queue: "elsewhere", type: "other"))
            let receipt = try spool.enqueue(
                group: NewGroup(members: [NewTask(type: "a")], callback: [NewTask(id: "report", type: "sum")])
            )
            let member = try #require(try spool.claimNext())
            #expect(member.record.type == "a")
            try spool.complete(member)
            #expect(try spool.group(id: receipt.id).callback == .refused)
            #expect(try spool.claimNext(queue: "elsewhere")?.record.type == "other")
            #expect(try spool.claimNext() == nil)
        }
    }

    @Test(arguments: [
        (#"{"group": []}"#, "group: must be a non-empty list of tasks"),
        (
            #"{"group": [{"type": "a"}], "run_callback": "sometimes"}"#,
            #"run_callback: must be "all_succeeded" or "all_finished""#
        ),
        (#"{"group": [{"type": "a"}], "color": 1}"#, "color: not a field of a group document"),
        (#"{"group": [{"payload": 1}]}"#, "group: member 1: step 1: type: required"),
        (
            #"{"group": [{"type": "a", "group": "x"}]}"#,
            "group: member 1: step 1: group: written by Spool, not allowed in a workflow step"
        ),
        (#"{"group": [{"type": "a"}], "id": "a b"}"#, "id: must match [A-Za-z0-9_-]{1,64}"),
        (#"{"group": [{"type": "a"}], "callback": 3}"#, "callback: must be a task object or a non-empty list of them"),
    ])
    func invalidGroupsAreRefusedWithTheirReason(document: String, reason: String) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect {
                try spool.enqueue(groupDocument: Array(document.utf8))
            } throws: { error in
                let error = error as? SpoolError
                return error?.code == .invalidArgument && error?.message == reason
            }
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }
}
