import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Cancel, retry and reschedule as users reach them: `spoolctl` against a running daemon, and the HTTP API.
@Suite(.timeLimit(.minutes(2))) struct CancelTests {
    /// The process ids a handler script wrote to `log` as `pid <n>`.
    private func pids(_ log: String) -> [Int32] {
        lines(of: log).compactMap { $0.hasPrefix("pid ") ? Int32($0.dropFirst(4)) : nil }
    }

    private func isRunning(_ pid: Int32) -> Bool {
        // A zombie (exited, not reaped: pid 1 may not reap here) has stopped running.
        guard let stat = try? SpoolFiles.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")"))
        else { return false }
        return stat.count > close + 2 && stat[close + 2] != UInt8(ascii: "Z")
    }

    @Test func cancellingARunningExecTaskStopsItsProcessGroupAndEndsItCancelled() async throws {
        try await TemporarySpool.with { directory in
            let log = "\(directory.path)/runs.log"
            try writeScript(
                "\(directory.path)/slow.sh",
                """
                echo "pid $$" >> "\(log)"
                sleep 60 &
                echo "pid $!" >> "\(log)"
                wait
                echo "end" >> "\(log)"
                """
            )
            try SpoolFiles.write(
                """
                queues: {work: {handler: slow}}
                handlers:
                  slow: {exec: ["\(directory.path)/slow.sh"], kill_grace: 1s}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let id = try spool.enqueue(NewTask(queue: "work", type: "job"))
            let other = try spool.enqueue(NewTask(queue: "work", type: "job", delay: 3600))
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            #expect(await eventually { pids(log).count == 2 })
            let started = SystemClock().now
            let cancel = try ChildProcess.run("spoolctl", ["--spool", directory.path, "cancel", id, other])
            #expect(cancel.status == 0, "\(cancel.error)")
            #expect(cancel.output.contains("\(id) cancel requested (running on "), "\(cancel.output)")
            #expect(cancel.output.contains("\(other) cancelled"))
            #expect(await eventually(within: 10) { spool.find(id: id)?.state == .dead })
            // Told through inotify: well before the first lease renewal (every 20 s by default).
            #expect(seconds(since: started) < 5)
            #expect(pids(log).allSatisfy { !isRunning($0) }, "the command and its child are gone")
            let record = try spool.record(at: #require(spool.find(id: id)))
            #expect(record.stateReason == "cancelled" && record.attempts.map(\.error) == ["cancelled"])
            #expect(!lines(of: log).contains("end"))
            // The marker goes right after the task (the worker removes it once the task is in dead/).
            #expect(
                await eventually(within: 5) {
                    !SpoolFiles.files(under: "\(directory.path)/running").contains { $0.hasSuffix(".cancel") }
                }
            )
            // Not retried.
            try await Task.sleep(for: .milliseconds(500))
            #expect(pids(log).count == 2 && spool.find(id: id)?.state == .dead)
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
            #expect(daemon.errorOutput.contains("msg=cancelled"))
        }
    }

    @Test func idsFromStandardInputAndWholeQueues() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try (0..<5).map { try spool.enqueue(NewTask(id: "t-\($0)", queue: "q", type: "job", delay: 600)) }
            let spoolctl = {
                (arguments: [String], input: String?) throws -> (status: Int32, output: String, error: String) in
                try ChildProcess.run("spoolctl", ["--spool", directory.path] + arguments, input: input)
            }
            var result = try spoolctl(["cancel", "-"], "t-0\n  t-1 \n\nnope\nbad/id\n")
            #expect(
                result.status == 1,
                "tasks that could not be cancelled for reasons of several kinds make the status 1"
            )
            #expect(result.output == "t-0 cancelled\nt-1 cancelled\n")
            #expect(result.error == "spoolctl: no task with id nope\nspoolctl: not a task id: bad/id\n")
            result = try spoolctl(["retry", "--queue", "q", "--all"], nil)
            #expect(result.status == 0 && result.output == "t-0 retried\nt-1 retried\n", "dead is retry's default")
            result = try spoolctl(
                ["reschedule", "--queue", "q", "--all", "--at", "2030-01-01T00:00:00Z", "--json"],
                nil
            )
            #expect(result.status == 0)
            let outcomes = try jsonLines(result.output)
            #expect(outcomes.count == 5)
            #expect(ids.allSatisfy { spool.find(id: $0)?.due == Timestamp(rfc3339: "2030-01-01T00:00:00Z") })
            result = try spoolctl(["cancel", "--queue", "q", "--state", "scheduled", "--all"], nil)
            #expect(result.status == 0 && result.output.split(separator: "\n").count == 5)
            #expect(ids.allSatisfy { spool.find(id: $0)?.state == .dead })
            for (arguments, message) in [
                (["cancel"], "give task ids, `-`, or --queue, but not both"),
                (["cancel", "t-0", "--queue", "q"], "give task ids, `-`, or --queue, but not both"),
                (
                    ["cancel", "--queue", "q", "--all", "--state", "dead"],
                    "--state must be one of: scheduled, active, running"
                ),
                (["cancel", "--queue", "q"], "acting on every task of --queue needs --all"),
                (["retry", "--all"], "--all needs --queue"),
                (["reschedule", "t-0"], "give one of --at and --in"),
                (["reschedule", "t-0", "--in", "1e300"], "--in must be between 0 and 3153600000 seconds"),
                (["retry", "--state", "dead"], "--state needs --queue"),
            ] {
                let invalid = try spoolctl(arguments, nil)
                #expect(invalid.status == 64, "\(arguments)")
                #expect(invalid.error == "spoolctl: \(message)\n", "\(arguments)")
            }
        }
    }

    @Test func theHTTPAPICancelsRetriesAndReschedules() async throws {
        try await TemporarySpool.with { directory in
            let port = freePort()
            try SpoolFiles.write(apiSection(port: port), to: "\(directory.path)/spool.yaml")
            let spool = try directory.open()
            try spool.enqueue(NewTask(id: "a", type: "t", delay: 600))
            try spool.enqueue(NewTask(id: "b", type: "t"))
            let daemon = try ChildProcess("spoold", ["--spool", directory.path, "--mode", "api"])
            #expect(await waitForListener(port: port))
            let answers = try callAPI(
                port: port,
                [
                    #"call("POST", "/v1/tasks/a/cancel")"#,
                    #"call("POST", "/v1/tasks/a/cancel")"#,
                    #"call("POST", "/v1/tasks/a/retry")"#,
                    #"call("POST", "/v1/tasks/b/reschedule", b'{"run_at": "2031-05-01T12:00:00Z"}')"#,
                    #"call("POST", "/v1/tasks/b/reschedule", b'{"delay": -1}')"#,
                    #"call("POST", "/v1/tasks/b/reschedule", b'{"when": 5}')"#,
                    #"call("POST", "/v1/tasks/nothing/cancel")"#,
                    #"call("POST", "/v1/tasks/b/retry")"#,
                ]
            )
            let statuses = answers.compactMap { $0.arrayValue?.first?.integerValue.map(Int.init) }
            #expect(statuses == [200, 409, 200, 200, 400, 400, 404, 200])
            #expect(answers.first?.arrayValue?.last?["state"] == .string("dead"))
            #expect(answers[3].arrayValue?.last?["run_at"] == .string("2031-05-01T12:00:00.000Z"))
            #expect(spool.find(id: "a")?.state == .active && spool.find(id: "b")?.state == .active)
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }
}
