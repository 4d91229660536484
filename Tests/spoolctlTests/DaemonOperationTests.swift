import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Running `spoold` and steering it with `spoolctl`, as an operator does.
@Suite(.timeLimit(.minutes(3))) struct DaemonOperationTests {
    @Test func daemonsInEveryModeRunEachAttemptOnce() async throws {
        try await TemporarySpool.with { directory in
            let log = "\(directory.path)/runs.log"
            // One short line per run, appended with O_APPEND: lines from concurrent runs never mix.
            try writeScript(
                "\(directory.path)/record.sh",
                "cat >/dev/null; echo \"$SPOOL_TASK_ID $SPOOL_TASK_ATTEMPT\" >> \(log)"
            )
            try SpoolFiles.write(
                """
                durability: none
                default_concurrency: 8
                handlers: {record: {exec: ["\(directory.path)/record.sh"]}}
                routes: {t: record}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try Spool(root: directory.path, configuration: SpoolConfiguration(durability: .none))
            var ids: Set<String> = []
            for index in 0..<5000 {
                // Half due now, half promoted a little later by whichever scheduler gets there first.
                ids.insert(try spool.enqueue(NewTask(type: "t", delay: index.isMultiple(of: 2) ? nil : 2)))
            }
            let daemons = try [
                ChildProcess("spoold", ["--spool", directory.path, "--mode", "all", "--log-level", "warning"]),
                ChildProcess("spoold", ["--spool", directory.path, "--mode", "scheduler", "--log-level", "warning"]),
                ChildProcess("spoold", ["--spool", directory.path, "--mode", "worker", "--log-level", "warning"]),
            ]
            func lines() -> [Substring] {
                String(decoding: (try? SpoolFiles.read(log)) ?? [], as: UTF8.self).split(separator: "\n")
            }
            var finished = false
            for _ in 0..<1200 where !finished {
                try await Task.sleep(for: .milliseconds(100))
                finished = lines().count >= 5000
            }
            // Let any duplicate run (there must be none) show up before stopping.
            try await Task.sleep(for: .milliseconds(500))
            for daemon in daemons { daemon.send(SIGTERM) }
            for daemon in daemons { #expect(await daemon.wait() == 0, "\(daemon.errorOutput)") }
            let runs = lines()
            #expect(runs.count == 5000, "each task runs exactly once")
            #expect(Set(runs.map { $0.split(separator: " ")[0] }.map(String.init)) == ids)
            #expect(runs.allSatisfy { $0.hasSuffix(" 1") }, "no task needed a second attempt")
            let stats = spool.stats()
            #expect(stats.queues.first { $0.queue == "default" }?[.done] == 5000)
        }
    }

    @Test(arguments: [
        ("workers:\n  concurency: 4\n", "spool.yaml:2:3: unknown key \"concurency\""),
        ("max_attempts: many\n", "spool.yaml:1:15: max_attempts"),
        ("queues:\n  Bad_Queue: {concurrency: 2}\n", "spool.yaml:2:3:"),
        ("routes: {resize: resizer}\n", "no handler named \"resizer\""),
        ("durability: [full\n", "spool.yaml"),
    ])
    func configurationErrorsExitWithOneLine(yaml: String, expected: String) throws {
        try TemporarySpool.with { directory in
            try SpoolFiles.write(yaml, to: "\(directory.path)/spool.yaml")
            let result = try ChildProcess.run("spoold", ["--spool", directory.path])
            #expect(result.status == 78)
            #expect(result.error.hasPrefix("spoold: "))
            #expect(result.error.contains(expected), "\(result.error)")
            #expect(result.error.split(separator: "\n").count == 1, "one line: \(result.error)")
        }
    }

    @Test func missingConfigFileNamedOnTheCommandLineIsAnError() throws {
        try TemporarySpool.with { directory in
            let result = try ChildProcess.run(
                "spoold",
                ["--spool", directory.path, "--config", "\(directory.path)/nope.yaml"]
            )
            #expect(result.status == 78)
            #expect(result.error.contains("nope.yaml"))
        }
    }

    @Test func resultWaitsForTheTaskToFinish() async throws {
        try await TemporarySpool.with { directory in
            try writeScript("\(directory.path)/answer.sh", "cat >/dev/null; echo '{\"answer\":42}'")
            try writeScript("\(directory.path)/refuse.sh", "cat >/dev/null; echo 'no way' >&2; exit 65")
            try SpoolFiles.write(
                """
                handlers:
                  answer: {exec: ["\(directory.path)/answer.sh"]}
                  refuse: {exec: ["\(directory.path)/refuse.sh"]}
                routes: {answer: answer, refuse: refuse}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let id = try spool.enqueue(NewTask(type: "answer"))
            let refused = try spool.enqueue(NewTask(type: "refuse"))
            let notYet = try ChildProcess.run("spoolctl", ["--spool", directory.path, "result", id])
            #expect(notYet.status == 75)
            #expect(notYet.error.contains("is active, not finished"))
            let timedOut = try ChildProcess.run(
                "spoolctl",
                ["--spool", directory.path, "result", id, "--wait", "--timeout", "0.3"]
            )
            #expect(timedOut.status == 75)
            let waiter = try ChildProcess(
                "spoolctl",
                ["--spool", directory.path, "result", id, "--wait", "--timeout", "60"]
            )
            try await Task.sleep(for: .milliseconds(300))
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            #expect(await waiter.wait() == 0, "\(waiter.errorOutput)")
            #expect(try JSONParser.parse(Array(waiter.output.utf8)) == .object([JSONMember("answer", .integer(42))]))
            let dead = try ChildProcess.run(
                "spoolctl",
                ["--spool", directory.path, "result", refused, "--wait", "--timeout", "30"]
            )
            #expect(dead.status == 1)
            #expect(dead.error.contains("is dead: permanent failure"))
            #expect(dead.error.contains("no way"))
            let json = try ChildProcess.run("spoolctl", ["--spool", directory.path, "--json", "result", id])
            #expect(try JSONParser.parse(Array(json.output.utf8))["state"] == .string("done"))
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }

    @Test func pauseAndResumeFromTheCommandLine() async throws {
        try await TemporarySpool.with { directory in
            try writeScript("\(directory.path)/ok.sh", "cat >/dev/null")
            try SpoolFiles.write(
                "handlers: {ok: {exec: [\"\(directory.path)/ok.sh\"]}}\nqueues: {mail: {handler: ok}}\n",
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            let paused = try ChildProcess.run("spoolctl", ["--spool", directory.path, "pause", "mail"])
            #expect(paused.status == 0)
            #expect(paused.output == "paused mail\n")
            let id = try spool.enqueue(NewTask(queue: "mail", type: "send"))
            try await Task.sleep(for: .milliseconds(500))
            #expect(spool.find(id: id)?.state == .active, "a paused queue keeps its tasks")
            let stats = try ChildProcess.run("spoolctl", ["--spool", directory.path, "stats"])
            #expect(stats.output.contains("paused: mail"))
            #expect(try ChildProcess.run("spoolctl", ["--spool", directory.path, "resume", "mail"]).status == 0)
            #expect(await eventually { spool.find(id: id)?.state == .done })
            let bad = try ChildProcess.run("spoolctl", ["--spool", directory.path, "pause", "No Such"])
            #expect(bad.status == 64)
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }

    @Test func sighupReloadsTheConfiguration() async throws {
        try await TemporarySpool.with { directory in
            try writeScript("\(directory.path)/ok.sh", "cat >/dev/null; echo ran")
            let first = "handlers: {ok: {exec: [\"\(directory.path)/ok.sh\"]}}\nroutes:\n  first: ok\n"
            try SpoolFiles.write(first, to: "\(directory.path)/spool.yaml")
            let spool = try directory.open()
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            let before = try spool.enqueue(NewTask(type: "first"))
            #expect(await eventually { spool.find(id: before)?.state == .done })

            try SpoolFiles.write("routes: {first: missing}\n", to: "\(directory.path)/spool.yaml")
            daemon.send(SIGHUP)
            #expect(await eventually { daemon.errorOutput.contains("configuration not reloaded") })
            try SpoolFiles.write(first + "  second: ok\n", to: "\(directory.path)/spool.yaml")
            daemon.send(SIGHUP)
            #expect(await eventually { daemon.errorOutput.contains("configuration reloaded") })
            let after = try spool.enqueue(NewTask(type: "second"))
            #expect(await eventually { spool.find(id: after)?.state == .done })
            #expect(try spool.record(at: #require(spool.find(id: after))).result == .string("ran"))
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }

    /// Once the daemon says it has started, SIGHUP reloads and SIGTERM stops it cleanly, however soon they come.
    @Test func signalsRightAfterTheStartLineAreHandled() async throws {
        try await TemporarySpool.with { directory in
            for _ in 0..<10 {
                let daemon = try ChildProcess("spoold", ["--spool", directory.path, "--log-level", "info"])
                #expect(await eventually { daemon.errorOutput.contains("spoold started") }, "\(daemon.errorOutput)")
                daemon.send(SIGHUP)
                daemon.send(SIGTERM)
                #expect(await daemon.wait() == 0, "\(daemon.errorOutput)")
            }
        }
    }

    @Test func anAPIWithoutAuthOrOpenBeyondLoopbackDoesNotStart() throws {
        try TemporarySpool.with { directory in
            _ = try directory.open()
            let cases: [(yaml: String, reason: String)] = [
                ("", "spoold: the HTTP API on 127.0.0.1:8470 has no auth: give api.auth.tokens"),
                (
                    "api: {listen: \"0.0.0.0:\(freePort())\", auth: {open: true}}\n",
                    "spoold: api.auth.open is allowed only on a loopback address"
                ),
                ("api: {auth: {tokens: [short]}}\n", "spoold: "),
            ]
            for (yaml, reason) in cases {
                try SpoolFiles.write(yaml, to: "\(directory.path)/spool.yaml")
                let run = try ChildProcess.run("spoold", ["--spool", directory.path, "--mode", "api"])
                #expect(run.status == 78, "\(yaml): \(run.error)")
                #expect(run.error.hasPrefix(reason) && run.error.filter { $0 == "\n" }.count == 1, "\(run.error)")
            }
        }
    }

    @Test func apiModeEnqueuesAndReports() async throws {
        try await TemporarySpool.with { directory in
            let port = freePort()
            try SpoolFiles.write(apiSection(port: port), to: "\(directory.path)/spool.yaml")
            let spool = try directory.open()
            let daemon = try ChildProcess("spoold", ["--spool", directory.path, "--mode", "api"])
            #expect(await waitForListener(port: port))
            let answers = try callAPI(
                port: port,
                [
                    #"call("POST", "/v1/tasks", b'{"id":"from-api","queue":"web","type":"t","payload":{"x":1}}')"#,
                    #"call("POST", "/v1/tasks", b'{"id":"from-api","type":"t"}')"#,
                    #"call("POST", "/v1/tasks", b'{"type":""}')"#,
                    #"call("GET", "/v1/tasks/from-api")"#,
                    #"call("GET", "/v1/tasks/nothing")"#,
                    #"call("POST", "/v1/queues/web/pause")"#,
                    #"call("GET", "/v1/stats")"#,
                ]
            )
            #expect(answers.count == 7)
            let statuses = answers.compactMap { $0.arrayValue?.first?.integerValue.map(Int.init) }
            #expect(statuses == [201, 409, 400, 200, 404, 200, 200])
            #expect(answers.first?.arrayValue?.last?["state"] == .string("active"))
            #expect(answers[3].arrayValue?.last?["payload"] == .object([JSONMember("x", .integer(1))]))
            #expect(answers[6].arrayValue?.last?["paused"] == .array([.string("web")]))
            #expect(spool.find(id: "from-api")?.state == .active, "api mode runs no task")
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }
}
