import SpoolCore
import SpoolTestSupport
import Testing

/// Workflows from `spoolctl`: chains and groups enqueued from a file, `group show|list|cancel` and
/// `chain show|cancel`, on a spool with no daemon.
@Suite struct WorkflowCommandTests {
    /// Runs `spoolctl --spool <spool> <arguments>`.
    private func spoolctl(
        _ directory: TemporarySpool,
        _ arguments: [String],
        input: String? = nil
    ) throws -> (status: Int32, output: String, error: String) {
        try ChildProcess.run("spoolctl", ["--spool", directory.path] + arguments, input: input)
    }

    /// Claims every waiting task of `queue`, by id.
    private func claimAll(_ spool: Spool, queue: String) throws -> [String: ClaimedTask] {
        var claimed: [String: ClaimedTask] = [:]
        while let task = try spool.claimNext(queue: queue) { claimed[task.record.id] = task }
        return claimed
    }

    @Test func enqueueFileTakesChainsAndGroupsBetweenTasks() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let lines = [
                #"{"id":"before","type":"t"}"#,
                #"{"chain":[{"id":"c1","type":"fetch"},{"id":"c2","type":"parse"},{"id":"c3","type":"store"}]}"#,
                #"{"id":"g1","group":[{"id":"m0","type":"a","queue":"work"},{"id":"m1","type":"b","queue":"work"}],"#
                    + #""callback":{"id":"cb","type":"sum"}}"#,
                #"{"id":"after","type":"t"}"#,
            ]
            let enqueued = try spoolctl(
                directory,
                ["--json", "enqueue", "--file", "-"],
                input: lines.joined(separator: "\n")
            )
            #expect(enqueued.status == 0, "\(enqueued.error)")
            #expect(
                try jsonLines(enqueued.output) == [
                    .object([JSONMember("id", .string("before"))]),
                    .object([JSONMember("id", .string("c1"))]),
                    .object([
                        JSONMember("id", .string("g1")), JSONMember("members", .array([.string("m0"), .string("m1")])),
                        JSONMember("callback", .array([.string("cb")])),
                    ]),
                    .object([JSONMember("id", .string("after"))]),
                ]
            )
            #expect(spool.find(id: "m1")?.queue == "work")
            #expect(try spool.record(at: #require(spool.find(id: "c1"))).onSuccess?.arrayValue?.count == 2)

            // Without --json, a group prints its id as a task does.
            let plain = try spoolctl(
                directory,
                ["enqueue", "--file", "-"],
                input: #"{"id":"g2","group":[{"type":"a","queue":"work"}]}"# + "\n"
            )
            #expect(plain == (0, "g2\n", ""))

            let shown = try spoolctl(directory, ["chain", "show", "c1"])
            #expect(shown.status == 0)
            #expect(
                shown.output == """
                    STEP  ID  STATE
                    1     c1  active
                    2     c2  not enqueued yet
                    3     c3  not enqueued yet

                    """
            )
            let json = try spoolctl(directory, ["--json", "chain", "show", "c1"])
            #expect(
                try jsonLines(json.output).map { [$0["step"], $0["id"], $0["state"]] } == [
                    [.integer(1), .string("c1"), .string("active")], [.integer(2), .string("c2"), .null],
                    [.integer(3), .string("c3"), .null],
                ]
            )
        }
    }

    @Test func groupShowListsMembersWithOutcomesAndListCounts() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(
                    id: "g1",
                    members: [
                        NewTask(id: "ok", queue: "work", type: "a"),
                        NewTask(id: "bad", queue: "work", type: "b", maxAttempts: 1),
                        NewTask(id: "slow", queue: "work", type: "c"),
                    ],
                    callback: [NewTask(id: "sum", type: "sum")]
                )
            )
            try spool.enqueue(group: NewGroup(id: "g2", members: [NewTask(queue: "other", type: "a")]))
            let members = try claimAll(spool, queue: "work")
            try spool.complete(try #require(members["ok"]), result: .object([JSONMember("n", .integer(7))]))
            try spool.fail(try #require(members["bad"]), error: "disk on fire\nsecond line")

            let shown = try spoolctl(directory, ["group", "show", receipt.id])
            #expect(shown.status == 0, "\(shown.error)")
            let text = shown.output
            #expect(text.contains("callback: sum waiting, run when all_succeeded\n"), "\(text)")
            #expect(text.contains("members:  3: 1 succeeded, 1 failed, 1 pending\n"))
            #expect(text.contains("INDEX  ID    STATE    RESULT/ERROR\n"), "\(text)")
            #expect(text.contains("0      ok    done     {\"n\":7}\n"))
            #expect(text.contains("1      bad   dead     disk on fire second line\n"))
            #expect(text.contains("2      slow  pending\n"))

            let json = try JSONParser.parse(
                Array(try spoolctl(directory, ["group", "show", "g1", "--json"]).output.utf8)
            )
            #expect(json["succeeded"] == .integer(1) && json["failed"] == .integer(1) && json["pending"] == .integer(1))
            #expect(
                json["callback"]
                    == .object([JSONMember("id", .string("sum")), JSONMember("state", .string("waiting"))])
            )
            let outcomes = try #require(json["members"]?.arrayValue)
            try #require(outcomes.count == 3)
            #expect(outcomes[0]["result"]?["n"] == .integer(7))
            #expect(outcomes[1]["error"] == .string("disk on fire\nsecond line"))
            #expect(outcomes[2]["state"] == .null)

            let list = try spoolctl(directory, ["group", "list"])
            #expect(list.status == 0 && list.error.isEmpty)
            let rows = list.output.split(separator: "\n")
            #expect(rows.count == 3 && rows[0].hasPrefix("ID  MEMBERS  SUCCEEDED  FAILED  PENDING  CALLBACK"))
            #expect(rows[1].hasPrefix("g1  3        1          1       1        sum waiting  "), "\(list.output)")
            #expect(rows[2].hasPrefix("g2  1        0          0       1        none  "))
            let newest = try spoolctl(directory, ["--json", "group", "list", "--newest", "--limit", "1"])
            #expect(newest.status == 0)
            #expect(try jsonLines(newest.output).map { $0["id"] } == [.string("g2")])
            #expect(try jsonLines(newest.output).first?["size"] == .integer(1))
            #expect(newest.error == "spoolctl: more groups exist than --limit 1\n")
        }
    }

    @Test func cancellingAGroupOrAChainStopsWhatIsLeft() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(
                group: NewGroup(
                    id: "g1",
                    members: [NewTask(id: "done-one", type: "a"), NewTask(id: "waiting", type: "b")],
                    callback: [NewTask(id: "cb", type: "sum")]
                )
            )
            try spool.complete(try #require(try spool.claimNext()), result: .null)
            let cancelled = try spoolctl(directory, ["group", "cancel", "g1"])
            #expect(
                cancelled == (
                    0,
                    "group g1 cancelled: 1 waiting members cancelled, 0 running asked to stop; its callback will not run\n",
                    ""
                )
            )
            #expect(spool.find(id: "waiting")?.state == .dead)
            let json = try JSONParser.parse(
                Array(try spoolctl(directory, ["--json", "group", "show", "g1"]).output.utf8)
            )
            #expect(json["callback"]?["state"] == .string("cancelled") && json["cancelled"] == .bool(true))
            let again = try spoolctl(directory, ["--json", "group", "cancel", "g1"])
            #expect(again.status == 0)
            #expect(
                try jsonLines(again.output) == [
                    .object([
                        JSONMember("id", .string("g1")), JSONMember("cancelled", .integer(0)),
                        JSONMember("requested", .integer(0)), JSONMember("callback_cancelled", .bool(false)),
                        JSONMember("outcome", .string("cancelled")),
                    ])
                ]
            )

            let steps = try spool.enqueue(chain: [NewTask(type: "x"), NewTask(type: "y")])
            let chain = try spoolctl(directory, ["chain", "cancel", steps[0]])
            #expect(
                chain == (0, "chain \(steps[0]) cancelled: 1 waiting steps cancelled, 0 running asked to stop\n", "")
            )
            let shown = try spoolctl(directory, ["chain", "show", steps[0]])
            #expect(shown.output.contains("\(steps[0])  dead\n") && shown.output.contains("not enqueued yet"))
        }
    }

    @Test(arguments: [
        (["group", "show", "nosuch"], 2, "spoolctl: no group nosuch"),
        (["group", "cancel", "nosuch"], 2, "spoolctl: no group nosuch"),
        (["group", "show", "../etc"], 64, "spoolctl: the group id must match [A-Za-z0-9_-]{1,64}"),
        (["group", "list", "--limit", "0"], 64, "spoolctl: --limit must be 1-100000"),
        (["chain", "show", "nosuch"], 2, "spoolctl: no task nosuch"),
        (["chain", "cancel", "a/b"], 64, "spoolctl: the id must match [A-Za-z0-9_-]{1,64}"),
    ])
    func badWorkflowArgumentsGiveOneLineAndNonZeroExit(arguments: [String], status: Int32, message: String) throws {
        try TemporarySpool.with { directory in
            _ = try directory.open()
            let result = try spoolctl(directory, arguments)
            #expect(result.status == status, "\(result.error)")
            #expect(result.error == message + "\n")
            #expect(result.output.isEmpty)
        }
    }

    @Test func anInvalidGroupInAFileIsNamedByItsLine() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let lines = [
                #"{"id":"first","type":"t"}"#,
                #"{"group":[{"type":"a"},{"queue":"No Queue","type":"b"}]}"#,
                #"{"id":"never","type":"t"}"#,
            ]
            let result = try spoolctl(directory, ["enqueue", "--file", "-"], input: lines.joined(separator: "\n"))
            #expect(result.status == 65)
            #expect(
                result.error
                    == "spoolctl: line 2: group: member 2: step 1: queue: must match [a-z0-9_-]{1,64} (the 1 task before it is enqueued)\n"
            )
            #expect(result.output == "first\n")
            #expect(spool.find(id: "never") == nil && spool.groupIDs().isEmpty)
            let taken = try spoolctl(
                directory,
                ["enqueue", "--file", "-"],
                input: #"{"id":"first","group":[{"type":"a"}]}"#
            )
            #expect(taken.status == 0, "a group id is not a task id")
            let again = try spoolctl(
                directory,
                ["enqueue", "--file", "-"],
                input: #"{"id":"first","group":[{"type":"a"}]}"#
            )
            #expect(again.status == 3)
            #expect(again.error == "spoolctl: line 1: group: \"first\" is already in use\n")
        }
    }
}
