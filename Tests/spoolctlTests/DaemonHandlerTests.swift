import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `spoold` binary running exec and HTTP handlers as a user configures them.
@Suite(.timeLimit(.minutes(3))) struct DaemonHandlerTests {
    @Test func execTasksSucceedRetryByTheTableAndDie() async throws {
        try await TemporarySpool.with { directory in
            try writeScript(
                "\(directory.path)/handler.sh",
                """
                payload=$(cat)
                case "$payload" in
                  *fail*) echo "failing on attempt $SPOOL_TASK_ATTEMPT" >&2; exit 3;;
                  *gone*) echo "cannot do this" >&2; exit 65;;
                esac
                printf '{"id":"%s","attempt":%s,"queue":"%s","type":"%s","payload":%s}' \
                  "$SPOOL_TASK_ID" "$SPOOL_TASK_ATTEMPT" "$SPOOL_TASK_QUEUE" "$SPOOL_TASK_TYPE" "$payload"
                """
            )
            try SpoolFiles.write(
                """
                max_attempts: 3
                retry: {table: [400ms, 400ms]}
                queues: {work: {handler: run}}
                handlers:
                  run: {exec: ["\(directory.path)/handler.sh"]}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let good = try spool.enqueue(
                NewTask(queue: "work", type: "job", payload: .object([JSONMember("n", .integer(7))]))
            )
            let failing = try spool.enqueue(NewTask(queue: "work", type: "job", payload: .string("fail")))
            let permanent = try spool.enqueue(NewTask(queue: "work", type: "job", payload: .string("gone")))
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            #expect(
                await eventually {
                    [good, failing, permanent].allSatisfy { [.done, .dead].contains(spool.find(id: $0)?.state) }
                }
            )
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0, "\(daemon.errorOutput)")

            let done = try spool.record(at: #require(spool.find(id: good)))
            #expect(spool.find(id: good)?.state == .done)
            #expect(
                done.result
                    == .object([
                        JSONMember("id", .string(good)), JSONMember("attempt", .integer(1)),
                        JSONMember("queue", .string("work")), JSONMember("type", .string("job")),
                        JSONMember("payload", .object([JSONMember("n", .integer(7))])),
                    ])
            )
            let dead = try spool.record(at: #require(spool.find(id: failing)))
            #expect(spool.find(id: failing)?.state == .dead)
            #expect(dead.attempts.count == 3)
            #expect(dead.attempts.map(\.error).allSatisfy { $0.contains("failing on attempt") })
            for (earlier, later) in zip(dead.attempts, dead.attempts.dropFirst()) {
                let gap =
                    Double((later.startedAt ?? later.finishedAt).milliseconds - earlier.finishedAt.milliseconds) / 1000
                #expect(gap >= 0.39, "retried \(gap) s after the failure; the table says 0.4 s")
                #expect(gap < 5)
            }
            #expect(dead.stateReason?.contains("attempts spent (3 of 3)") == true)
            let gaveUp = try spool.record(at: #require(spool.find(id: permanent)))
            #expect(gaveUp.attempts.count == 1)
            #expect(gaveUp.stateReason?.contains("permanent failure") == true)
            #expect(gaveUp.stateReason?.contains("cannot do this") == true)
            #expect(daemon.errorOutput.contains("succeeded"), "one log line per transition")
            #expect(daemon.errorOutput.contains("spool.duration_ms="))
        }
    }

    @Test func httpCallbacksCoverEveryStatusClass() async throws {
        try await TemporarySpool.with { directory in
            let port = freePort()
            let server = try ChildProcess(
                "/usr/bin/env",
                ["python3", "\(repositoryRoot)/examples/demo/echo-server.py", "\(port)"]
            )
            defer {
                server.send(SIGTERM)
                _ = server.wait()
            }
            #expect(await waitForListener(port: port))
            try SpoolFiles.write(
                """
                max_attempts: 4
                retry: {table: [300ms]}
                queues: {hooks: {handler: echo}}
                handlers:
                  echo: {http: "http://127.0.0.1:\(port)/echo/{type}/{id}"}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            func callback(_ path: String) -> JSONValue {
                .object([JSONMember("url", .string("http://127.0.0.1:\(port)\(path)"))])
            }
            let ok = try spool.enqueue(
                NewTask(queue: "hooks", type: "ping", payload: .object([JSONMember("a", .integer(1))]))
            )
            var notFound = NewTask(queue: "hooks", type: "ping")
            notFound.http = callback("/status/404")
            var unavailable = NewTask(queue: "hooks", type: "ping", maxAttempts: 2)
            unavailable.http = callback("/status/503")
            var failing = NewTask(queue: "hooks", type: "ping")
            failing.http = callback("/status/500")
            let notFoundID = try spool.enqueue(notFound)
            let unavailableID = try spool.enqueue(unavailable)
            let failingID = try spool.enqueue(failing)
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            #expect(
                await eventually {
                    [ok, notFoundID, failingID].allSatisfy { [.done, .dead].contains(spool.find(id: $0)?.state) }
                }
            )
            // 503 with Retry-After: 3 waits 3 s, not the table's 0.3 s.
            #expect(await eventually { spool.find(id: unavailableID)?.state == .dead })
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0, "\(daemon.errorOutput)")

            let result = try spool.record(at: #require(spool.find(id: ok))).result
            #expect(result?["status"] == .integer(200))
            #expect(result?["body"]?["path"] == .string("/echo/ping/\(ok)"))
            #expect(result?["body"]?["method"] == .string("POST"))
            #expect(result?["body"]?["body"] == .string("{\"a\":1}"))
            let gone = try spool.record(at: #require(spool.find(id: notFoundID)))
            #expect(spool.find(id: notFoundID)?.state == .dead)
            #expect(gone.attempts.count == 1, "a 404 is not retried")
            let retried = try spool.record(at: #require(spool.find(id: unavailableID)))
            #expect(retried.attempts.count == 2)
            if retried.attempts.count == 2 {
                let gap =
                    Double(
                        (retried.attempts[1].startedAt ?? retried.attempts[1].finishedAt).milliseconds
                            - retried.attempts[0].finishedAt.milliseconds
                    ) / 1000
                #expect(gap >= 2.9 && gap < 8, "Retry-After: 3 honoured, got \(gap) s")
            }
            let failed = try spool.record(at: #require(spool.find(id: failingID)))
            #expect(failed.attempts.count == 4, "a 500 is retried until attempts are spent")
            #expect(failed.attempts.first?.error.contains("500") == true)
        }
    }

    @Test func sigtermLetsATaskFinishWithinTheGrace() async throws {
        try await TemporarySpool.with { directory in
            try writeScript("\(directory.path)/slow.sh", "cat >/dev/null; sleep 1; echo finished")
            try SpoolFiles.write(
                "shutdown_grace: 20s\nhandlers: {slow: {exec: [\"\(directory.path)/slow.sh\"]}}\nroutes: {slow: slow}\n",
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let id = try spool.enqueue(NewTask(type: "slow"))
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            #expect(await eventually { spool.find(id: id)?.state == .running })
            let stopping = SystemClock().now
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0, "\(daemon.errorOutput)")
            #expect(seconds(since: stopping) < 15)
            #expect(spool.find(id: id)?.state == .done)
            #expect(try spool.record(at: #require(spool.find(id: id))).result == .string("finished"))
        }
    }

    @Test func sigtermHandsBackATaskPastTheGraceAndKillsItsProcessGroup() async throws {
        try await TemporarySpool.with { directory in
            let pidFile = "\(directory.path)/sleeper.pid"
            try writeScript("\(directory.path)/long.sh", "cat >/dev/null; sleep 300 & echo $! > \(pidFile); wait")
            try SpoolFiles.write(
                """
                shutdown_grace: 500ms
                handlers: {long: {exec: ["\(directory.path)/long.sh"], kill_grace: 1s}}
                routes: {long: long}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let id = try spool.enqueue(NewTask(type: "long"))
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            #expect(await eventually { (try? SpoolFiles.read(pidFile))?.isEmpty == false })
            let sleeper = String(decoding: try SpoolFiles.read(pidFile), as: UTF8.self)
                .split(whereSeparator: \.isWhitespace).first.flatMap { Int32($0) }
            let stopping = SystemClock().now
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0, "\(daemon.errorOutput)")
            #expect(seconds(since: stopping) < 15)
            let location = try #require(spool.find(id: id))
            #expect(location.state == .active, "handed back")
            #expect(try spool.record(at: location).attempts.isEmpty, "no attempt counted")
            let sleeperPID = try #require(sleeper)
            #expect(
                await eventually(within: 5) { kill(sleeperPID, 0) != 0 },
                "the handler's whole process group is killed"
            )
        }
    }
}
