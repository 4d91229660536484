import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Cron as an operator uses it: entries in `spool.yaml` and in the spool, fired by several `spoold`
/// schedulers at once, steered and listed with `spoolctl cron`.
@Suite(.timeLimit(.minutes(2))) struct CronTests {
    /// The ticks (Unix ms) of entry `name` whose tasks are in the spool.
    private func ticks(_ spool: Spool, _ name: String) -> [Int64] {
        var found: [Int64] = []
        spool.forEachTask { location in
            if location.id.hasPrefix("cron-\(name)-"), let tick = Int64(location.id.dropFirst("cron-\(name)-".count)) {
                found.append(tick)
            }
            return true
        }
        return found.sorted()
    }

    @Test func twoSchedulersFireEveryTickOnceAndOperatorsSteerTheEntries() async throws {
        try await TemporarySpool.with { directory in
            try SpoolFiles.write(
                """
                durability: none
                cron:
                  - {name: from-yaml, spec: "* * * * * *", task: {type: t, queue: yaml}}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            let add = try ChildProcess.run(
                "spoolctl",
                [
                    "--spool", directory.path, "cron", "add", "stored", "*/1 * * * * *", "--type", "t", "--queue", "q2",
                    "--payload", #"{"report":"daily"}"#, "--time-zone", "Europe/Berlin",
                ]
            )
            #expect(add == (0, "added stored\n", ""))
            let daemons = try (0..<2).map { _ in
                try ChildProcess(
                    "spoold",
                    ["--spool", directory.path, "--mode", "scheduler", "--log-level", "warning"]
                )
            }
            #expect(
                await eventually(within: 20) {
                    ticks(spool, "from-yaml").count >= 3 && ticks(spool, "stored").count >= 3
                }
            )

            // Paused: no more ticks of that entry; the other goes on.
            #expect(
                try ChildProcess.run("spoolctl", ["--spool", directory.path, "cron", "pause", "from-yaml"]).status == 0
            )
            try await Task.sleep(for: .milliseconds(1200))
            let pausedAt = ticks(spool, "from-yaml").count
            let storedAt = ticks(spool, "stored").count
            try await Task.sleep(for: .milliseconds(2500))
            #expect(ticks(spool, "from-yaml").count == pausedAt)
            #expect(ticks(spool, "stored").count >= storedAt + 2)

            // A new entry in spool.yaml fires after SIGHUP.
            try SpoolFiles.write(
                """
                durability: none
                cron:
                  - {name: from-yaml, spec: "* * * * * *", task: {type: t, queue: yaml}}
                  - {name: reloaded, spec: "@every 1s", task: {type: t}}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            for daemon in daemons { daemon.send(SIGHUP) }
            #expect(await eventually(within: 20) { ticks(spool, "reloaded").count >= 2 })

            let list = try ChildProcess.run(
                "spoolctl",
                ["--spool", directory.path, "--json", "cron", "list", "--next", "2"]
            )
            #expect(list.status == 0, "\(list.error)")
            let entries = try jsonLines(list.output)
            #expect(entries.map { $0["name"] } == [.string("from-yaml"), .string("reloaded"), .string("stored")])
            #expect(entries.map { $0["source"] } == [.string("config"), .string("config"), .string("spool")])
            #expect(entries.first?["paused"] == .bool(true))
            #expect(entries.last?["next"]?.arrayValue?.count == 2)
            #expect(entries.last?["last"]?["state"] == .string("active"))

            for daemon in daemons { daemon.send(SIGTERM) }
            for daemon in daemons { #expect(await daemon.wait() == 0, "\(daemon.errorOutput)") }
            // Each tick once, none skipped: consecutive seconds.
            for name in ["from-yaml", "stored", "reloaded"] {
                let found = ticks(spool, name)
                #expect(Set(found).count == found.count)
                #expect(
                    zip(found, found.dropFirst()).allSatisfy { $1 - $0 == 1000 } || name == "from-yaml",
                    "\(name): \(found)"
                )
            }
            let record = try spool.record(at: #require(spool.find(id: "cron-stored-\(ticks(spool, "stored")[0])")))
            #expect(record.queue == "q2" && record.payload == .object([JSONMember("report", .string("daily"))]))
        }
    }

    @Test(arguments: [
        (
            ["cron", "add", "x", "61 * * * *", "--type", "t"], 64,
            "spoolctl: cron spec \"61 * * * *\": minute field: 61 is out of range 0-59"
        ),
        (
            ["cron", "add", "x", "@daily", "--type", "t", "--time-zone", "Moon/Base"], 64,
            "spoolctl: time zone \"Moon/Base\" is not in the tz database (such as Europe/Berlin, or UTC)"
        ),
        (["cron", "add", "x y", "@daily", "--type", "t"], 64, "spoolctl: the name must match [A-Za-z0-9_-]{1,45}"),
        (["cron", "add", "x", "@daily"], 64, "spoolctl: cron entry x: task: type: required"),
        (
            ["cron", "add", "x", "@daily", "--type", "t", "--missed", "maybe"], 64,
            "spoolctl: --missed must be skip, once or all"
        ),
        (["cron", "remove", "nope"], 2, "spoolctl: no cron entry nope in the spool"),
    ])
    func badCronCommandsSayWhyInOneLine(arguments: [String], status: Int32, message: String) throws {
        try TemporarySpool.with { directory in
            _ = try directory.open()
            let result = try ChildProcess.run("spoolctl", ["--spool", directory.path] + arguments)
            #expect(result.status == status)
            #expect(result.error == message + "\n")
        }
    }

    @Test func theAPIListsStoresPausesAndRemovesEntries() async throws {
        try await TemporarySpool.with { directory in
            let port = freePort()
            try SpoolFiles.write(
                """
                api: {listen: 127.0.0.1:\(port), auth: {tokens: [\(apiTestToken)]}}
                cron:
                  - {name: from-yaml, spec: "@hourly", task: {type: t}}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let daemon = try ChildProcess("spoold", ["--spool", directory.path, "--mode", "api"])
            #expect(await waitForListener(port: port))
            let stored = #"b'{"name":"stored","spec":"*/5 * * * * *","task":{"type":"t"}}'"#
            var answers = try callAPI(
                port: port,
                [
                    #"call("POST", "/v1/cron", \#(stored))"#,
                    #"call("POST", "/v1/cron", \#(stored))"#,
                    #"call("POST", "/v1/cron", b'{"name":"from-yaml","spec":"@daily","task":{"type":"t"}}')"#,
                    #"call("POST", "/v1/cron", b'{"name":"bad","spec":"61 * * * *","task":{"type":"t"}}')"#,
                    #"call("POST", "/v1/cron", b'not json')"#,
                    #"call("POST", "/v1/cron/stored/pause")"#,
                    #"call("POST", "/v1/cron/no%20such/pause")"#,
                    #"call("GET", "/v1/cron?next=0")"#,
                ]
            )
            var statuses = answers.compactMap { $0.arrayValue?.first?.integerValue.map(Int.init) }
            #expect(statuses == [201, 409, 409, 400, 400, 200, 400, 400])
            #expect(spool.storedCronEntries().entries.map(\.name) == ["stored"])
            #expect(spool.pausedCronEntries() == ["stored"])

            // A tick fired without a note: the listing finds it from the entry's latest ticks.
            let now = spool.clock.now.milliseconds
            let tick = Timestamp(milliseconds: now - now % 5000)
            let entry = try CronEntry(name: "stored", spec: "*/5 * * * * *", task: [JSONMember("type", .string("t"))])
            _ = try spool.fireCron([(entry, tick)], notingTicks: false)
            answers = try callAPI(port: port, [#"call("GET", "/v1/cron?next=2")"#])
            let listed = answers.first?.arrayValue?.last?.arrayValue ?? []
            #expect(listed.map { $0["name"] } == [.string("from-yaml"), .string("stored")])
            #expect(listed.map { $0["source"] } == [.string("config"), .string("spool")])
            #expect(listed.map { $0["paused"] } == [.bool(false), .bool(true)])
            #expect(listed.last?["next"]?.arrayValue?.count == 2)
            #expect(listed.last?["last"]?["id"] == .string(CronEntry.taskID(name: "stored", tick: tick)))
            #expect(listed.last?["last"]?["state"] == .string("active"))
            #expect(listed.first?["last"] == .null)

            answers = try callAPI(
                port: port,
                [
                    #"call("POST", "/v1/cron/stored/resume")"#, #"call("DELETE", "/v1/cron/stored")"#,
                    #"call("DELETE", "/v1/cron/stored")"#,
                ]
            )
            statuses = answers.compactMap { $0.arrayValue?.first?.integerValue.map(Int.init) }
            #expect(statuses == [200, 200, 404])
            #expect(spool.storedCronEntries().entries.isEmpty && spool.pausedCronEntries().isEmpty)
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }
}
