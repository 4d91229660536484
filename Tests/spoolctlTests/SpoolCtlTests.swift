import SpoolCore
import SpoolTestSupport
import Testing

/// `spoolctl` as a user runs it: the built binary, its output and its exit status.
@Suite struct SpoolCtlTests {
    @Test func enqueuePrintsIdAndTasksShowUp() throws {
        try TemporarySpool.with { directory in
            let now = try ChildProcess.run(
                "spoolctl",
                [
                    "--spool", directory.path, "enqueue", "--queue", "mail", "--type", "send", "--payload",
                    "{\"to\":\"a@b\"}",
                ]
            )
            #expect(now.status == 0)
            let id = now.output.split(separator: "\n").first.map(String.init) ?? ""
            #expect(Names.isValidTaskID(id) && id.count == 26)
            let later = try ChildProcess.run(
                "spoolctl",
                [
                    "enqueue", "--spool", directory.path, "--type", "send", "--delay", "600", "--id", "order-42",
                    "--max-attempts", "3", "--backoff", "5,30",
                ]
            )
            #expect(later == (0, "order-42\n", ""))
            let stats = try ChildProcess.run("spoolctl", ["--spool", directory.path, "stats"])
            #expect(stats.output.contains("mail     0          1"))
            #expect(stats.output.contains("default  1          0"))
            let list = try ChildProcess.run(
                "spoolctl",
                ["--spool", directory.path, "--json", "list", "--state", "scheduled"]
            )
            let entries = try jsonLines(list.output)
            #expect(entries.map { $0["id"] } == [.string("order-42")])
            let show = try ChildProcess.run(
                "spoolctl",
                ["show", "order-42", "--json"],
                environment: ["SPOOL_DIR": directory.path]
            )
            let shown = try JSONParser.parse(Array(show.output.utf8))
            #expect(shown["state"] == .string("scheduled"))
            #expect(shown["task"]?["max_attempts"] == .number("3"))
            #expect(shown["task"]?["backoff"] == .array([.number("5"), .number("30")]))
        }
    }

    @Test(arguments: [
        (["enqueue", "--type", "t", "--delay", "soon"], "spoolctl: The value 'soon' is invalid for '--delay <delay>'"),
        (
            ["enqueue", "--type", "t", "--delay", "5", "--at", "2030-01-01T00:00:00Z"],
            "spoolctl: --delay and --at cannot be combined"
        ),
        (
            ["enqueue", "--type", "t", "--payload", "{x"],
            "spoolctl: --payload is not valid JSON: expected a key at byte 1"
        ),
        (["enqueue", "--type", "t", "--queue", "No"], "spoolctl: queue: must match [a-z0-9_-]{1,64}"),
        (["enqueue", "--queue", "q"], "spoolctl: give --type, or --file with the tasks"),
        (
            ["list", "--state", "lost"],
            "spoolctl: The value 'lost' is invalid for '--state <state>'. Please provide one of 'scheduled', 'active', 'running', 'done' or 'dead'."
        ),
        (["show", "../etc"], "spoolctl: the id must match [A-Za-z0-9_-]{1,64}"),
        (["show", "missing"], "spoolctl: no task with id missing"),
        (["frobnicate"], "spoolctl: Unexpected argument 'frobnicate'"),
    ])
    func badArgumentsGiveOneLineAndNonZeroExit(arguments: [String], message: String) throws {
        try TemporarySpool.with { directory in
            _ = try directory.open()
            let result = try ChildProcess.run("spoolctl", ["--spool", directory.path] + arguments)
            #expect(result.status != 0)
            #expect(result.error == message + "\n")
            #expect(result.output.isEmpty)
        }
    }

    @Test func duplicateIdIsRefused() throws {
        try TemporarySpool.with { directory in
            #expect(
                try ChildProcess.run("spoolctl", ["--spool", directory.path, "enqueue", "--type", "t", "--id", "x1"])
                    .status == 0
            )
            let again = try ChildProcess.run(
                "spoolctl",
                ["--spool", directory.path, "enqueue", "--type", "t", "--id", "x1"]
            )
            #expect(again.status == 3, "a conflict")
            #expect(again.error == "spoolctl: id: \"x1\" is already in use\n")
        }
    }

    @Test func worksOnACopyWithNoDaemon() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(id: "kept", type: "t"))
            let copy = TemporarySpool("copy")
            defer { copy.remove() }
            #expect(try ChildProcess.run("/bin/cp", ["-a", "\(directory.path)/.", copy.path]).status == 0)
            let show = try ChildProcess.run("spoolctl", ["--spool", copy.path, "show", "kept"])
            #expect(show.status == 0)
            #expect(show.output.hasPrefix("state: active\n"))
        }
    }
}

/// `spoold` as a user runs it.
@Suite(.timeLimit(.minutes(1))) struct SpooldTests {
    @Test func daemonMovesDropsAndDueTasksThenStopsOnSigterm() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let due = try spool.enqueue(NewTask(type: "t", delay: 1))
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            try SpoolFiles.write("{\"type\":\"t\",\"id\":\"dropped\"}", to: "\(directory.path)/incoming/.x.tmp")
            try SpoolFiles.rename("\(directory.path)/incoming/.x.tmp", to: "\(directory.path)/incoming/x.json")
            var ingested = false
            var promoted = false
            for _ in 0..<500 where !(ingested && promoted) {
                try? await Task.sleep(for: .milliseconds(10))
                ingested = spool.find(id: "dropped")?.state == .active
                promoted = spool.find(id: due)?.state == .active
            }
            #expect(ingested)
            #expect(promoted)
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
            #expect(daemon.errorOutput.contains("ingested"))
        }
    }

    @Test func badArgumentExitsNonZeroWithOneLine() throws {
        let result = try ChildProcess.run("spoold", ["--watch", "carrier-pigeon"])
        #expect(result.status != 0)
        #expect(result.error.contains("carrier-pigeon"))
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// The producer examples of `examples/producers/`, run as a user would.
@Suite struct ProducerExampleTests {
    static let examples =
        String(#filePath).split(separator: "/").dropLast(3).map { "/\($0)" }.joined() + "/examples/producers"

    @Test(arguments: [
        ["/bin/sh", "drop.sh"], ["/usr/bin/env", "python3", "drop.py"], ["/usr/bin/env", "node", "drop.js"],
    ])
    func exampleDropIsAccepted(command: [String]) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let script = "\(ProducerExampleTests.examples)/\(command.last!)"
            let result = try ChildProcess.run(
                command[0],
                Array(command.dropFirst().dropLast()) + [script, directory.path, "greet", "{\"name\":\"Ada\"}"]
            )
            #expect(result.status == 0, "\(result.error)")
            let drops = try spool.pendingDrops()
            #expect(drops.count == 1)
            guard case .accepted(let id, _) = try spool.ingest(try #require(drops.first)) else {
                Issue.record("the example's drop was not accepted")
                return
            }
            let record = try spool.record(at: #require(spool.find(id: id)))
            #expect(record.type == "greet")
            #expect(record.payload["name"] == .string("Ada"))
        }
    }
}

/// A unique key as producers meet it: from `spoolctl` and over HTTP.
@Suite struct UniqueKeyCommandTests {
    @Test func aHeldKeyIsRefusedByTheCommandAndTheAPI() async throws {
        try await TemporarySpool.with { directory in
            _ = try directory.open()
            let first = try ChildProcess.run(
                "spoolctl",
                [
                    "--spool", directory.path, "enqueue", "--type", "t", "--unique-key", "order-9:paid", "--unique-for",
                    "60",
                ]
            )
            #expect(first.status == 0)
            let holder = first.output.split(separator: "\n").first.map(String.init) ?? ""
            let second = try ChildProcess.run(
                "spoolctl",
                ["--spool", directory.path, "enqueue", "--type", "t", "--unique-key", "order-9:paid"]
            )
            #expect(second.status == 3, "a conflict")
            #expect(
                second.error == "spoolctl: unique_key \"order-9:paid\" is held by task \(holder) in queue default\n"
            )

            let port = freePort()
            try SpoolFiles.write(apiSection(port: port), to: "\(directory.path)/spool.yaml")
            let daemon = try ChildProcess("spoold", ["--spool", directory.path, "--mode", "api"])
            defer { daemon.send(SIGKILL) }
            #expect(await waitForListener(port: port))
            let answers = try callAPI(
                port: port,
                [
                    #"call('POST', '/v1/tasks', b'{"type":"t","unique_key":"order-9:paid"}')"#,
                    #"call('POST', '/v1/tasks', b'{"type":"t","unique_key":"order-10:paid"}')"#,
                ]
            )
            #expect(answers.first?.arrayValue?.first == .number("409"))
            let refusal = answers.first?.arrayValue?.last?["error"]?["message"]?.stringValue ?? ""
            #expect(refusal.contains("held by task \(holder)"), "\(answers)")
            #expect(answers.last?.arrayValue?.first == .number("201"))
        }
    }
}

/// Lookup by business key as users make it: `spoolctl list --key`, `show --key`, `GET /v1/tasks?key=`.
@Suite struct KeyLookupCommandTests {
    @Test func tasksAreFoundByTheirKey() async throws {
        try await TemporarySpool.with { directory in
            _ = try directory.open()
            for (id, delay) in [("first", "0"), ("second", "600")] {
                let result = try ChildProcess.run(
                    "spoolctl",
                    [
                        "--spool", directory.path, "enqueue", "--type", "t", "--id", id, "--key", "order-42", "--delay",
                        delay,
                    ]
                )
                #expect(result.status == 0, "\(result.error)")
            }
            let list = try ChildProcess.run(
                "spoolctl",
                ["--spool", directory.path, "--json", "list", "--key", "order-42"]
            )
            let listed = try jsonLines(list.output)
            #expect(listed.map { $0["id"] } == [.string("first"), .string("second")])
            #expect(listed.map { $0["state"] } == [.string("active"), .string("scheduled")])
            let show = try ChildProcess.run(
                "spoolctl",
                ["--spool", directory.path, "--json", "show", "--key", "order-42"]
            )
            #expect(
                try JSONParser.parse(Array(show.output.utf8))["task"]?["id"] == .string("second"),
                "the most recent"
            )
            let none = try ChildProcess.run("spoolctl", ["--spool", directory.path, "show", "--key", "order-43"])
            #expect(none.status == 2 && none.error == "spoolctl: no task with key order-43\n")

            let port = freePort()
            try SpoolFiles.write(apiSection(port: port), to: "\(directory.path)/spool.yaml")
            let daemon = try ChildProcess("spoold", ["--spool", directory.path, "--mode", "api"])
            defer { daemon.send(SIGKILL) }
            #expect(await waitForListener(port: port))
            let answers = try callAPI(
                port: port,
                ["call('GET', '/v1/tasks?key=order-42')", "call('GET', '/v1/tasks')"]
            )
            #expect(
                answers.first?.arrayValue?.last?["tasks"]?.arrayValue?.map { $0["id"] }
                    == [.string("first"), .string("second")]
            )
            #expect(answers.last?.arrayValue?.first == .number("200"))
            #expect(answers.last?.arrayValue?.last?["tasks"]?.arrayValue?.count == 2)
        }
    }
}
