import SpoolConfig
import SpoolCore
import SpoolHandlers
import SpoolSystem
import SpoolTestSupport
import SpoolWorker
import Testing

@Suite("ExecHandler", .timeLimit(.minutes(1)))
struct ExecHandlerTests {
    @Test func jsonOutputIsTheResult() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("cat > /dev/null; echo '{\"ok\": true, \"n\": [1, 2]}'", in: directory)
            let context = try TaskFixture.context(in: directory)
            let result = try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
            let expected = JSONValue.object([
                JSONMember("ok", .bool(true)), JSONMember("n", .array([.number("1"), .number("2")])),
            ])
            #expect(result == expected)
        }
    }

    @Test func relativeProgramIsFoundFromTheDaemonsDirectoryNotTheCommandsOwn() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("cat > /dev/null; pwd", in: directory)
            // `/bin/sh` named relative to this process's directory, and a working directory deeper than that,
            // so that the same relative path from there names no file.
            let cwd = try #require(LocalProcess.workingDirectory())
            let depth = cwd.split(separator: "/").count
            let program = String(repeating: "../", count: depth) + "bin/sh"
            var nested = directory.path
            for level in 0...depth {
                nested += "/d\(level)"
                try Syscall.makeDirectory(nested, in: .currentWorkingDirectory)
            }
            let spec = ExecHandlerSpec(command: [program, script.path], workingDirectory: nested)
            let context = try TaskFixture.context(in: directory)
            #expect(try await ExecHandler(spec: spec, spoolRoot: directory.path).run(context) == .string(nested))
        }
    }

    @Test func textOutputIsAStringLessOneNewline() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("printf 'two\\nlines\\n'", in: directory)
            let context = try TaskFixture.context(in: directory)
            let result = try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
            #expect(result == .string("two\nlines"))
        }
    }

    @Test func emptyOutputIsNoResult() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("exit 0", in: directory)
            let context = try TaskFixture.context(in: directory)
            #expect(try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context) == nil)
        }
    }

    @Test func payloadArrivesAsJSONOnStandardInput() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("cat", in: directory)
            let handler = ExecHandler(spec: script.spec, spoolRoot: directory.path)
            let payload = JSONValue.object([
                JSONMember("text", .string("a \"quoted\" word")), JSONMember("n", .number("7")),
            ])
            let context = try TaskFixture.context(in: directory, payload: payload)
            #expect(try await handler.run(context) == payload)
        }
    }

    @Test func stringPayloadIsWrittenAsAJSONString() async throws {
        try await TemporarySpool.with { directory in
            // Quotes become Q: the command saw `"hello"`, not `hello`.
            let script = try Script("tr '\"' Q", in: directory)
            let context = try TaskFixture.context(in: directory, payload: .string("hello"))
            let result = try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
            #expect(result == .string("QhelloQ"))
        }
    }

    @Test func environmentCarriesTheTaskAndTheSpec() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script(
                """
                printf '{"id":"%s","type":"%s","queue":"%s","attempt":"%s","max":"%s","key":"%s",' \
                  "$SPOOL_TASK_ID" "$SPOOL_TASK_TYPE" "$SPOOL_TASK_QUEUE" "$SPOOL_TASK_ATTEMPT" \
                  "$SPOOL_TASK_MAX_ATTEMPTS" "$SPOOL_TASK_KEY"
                printf '"dir":"%s","deadline":"%s","extra":"%s","cwd":"%s","path":"%s"}' \
                  "$SPOOL_DIR" "$SPOOL_DEADLINE" "$EXTRA_SETTING" "$(pwd)" "${PATH:+inherited}"
                """,
                in: directory
            )
            var spec = script.spec
            spec.environment = ["EXTRA_SETTING": "from the spec", "SPOOL_TASK_ID": "overridden?"]
            spec.workingDirectory = directory.path
            let context = try TaskFixture.context(in: directory, key: "order-7", maxAttempts: 4)
            let result = try await ExecHandler(spec: spec, spoolRoot: directory.path).run(context)
            #expect(result?["id"] == .string(context.record.id))
            #expect(result?["type"] == .string("job"))
            #expect(result?["queue"] == .string("default"))
            #expect(result?["attempt"] == .string("1"))
            #expect(result?["max"] == .string("4"))
            #expect(result?["key"] == .string("order-7"))
            #expect(result?["dir"] == .string(directory.path))
            #expect(result?["deadline"] == .string(context.deadline.rfc3339))
            #expect(result?["extra"] == .string("from the spec"))
            #expect(result?["cwd"] == .string(directory.path))
            #expect(result?["path"] == .string("inherited"))
        }
    }

    @Test func anUnsetKeyLeavesNoVariableAndMaxAttemptsIsTheDefault() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("echo \"${SPOOL_TASK_KEY-unset} ${SPOOL_TASK_MAX_ATTEMPTS-unset}\"", in: directory)
            let context = try TaskFixture.context(in: directory)
            let result = try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
            #expect(result == .string("unset 25"), "the key is unset; the attempts are the spool's default")
        }
    }

    @Test func retryStatusWithADelayOnTheFirstLine() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("echo 30; echo more; echo 'server busy' >&2; exit 75", in: directory)
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
                }
            )
            #expect(failure.message == "exit status 75: server busy")
            #expect(failure.retryAfter == 30)
            #expect(!failure.permanent)
        }
    }

    @Test(arguments: ["1e300", "99999999999999999999999"])
    func aHugeRequestedDelayIsHeldToTheLongestATaskMayWait(delay: String) async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("echo \(delay); exit 75", in: directory)
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
                }
            )
            #expect(failure.retryAfter == TaskRecord.maximumDelay)
        }
    }

    @Test func theProcessGroupIsRecordedNextToTheTaskWhileTheCommandRuns() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script(
                #"cat >/dev/null; cd "$SPOOL_DIR"/running/default/*/ && echo "group $(readlink *.group)""#,
                in: directory
            )
            let context = try TaskFixture.context(in: directory)
            let result = try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
            guard case .string(let text) = result else {
                Issue.record("the marker is there while the command runs: \(String(describing: result))")
                return
            }
            let parts = text.dropFirst("group ".count).split(separator: ".")
            #expect(parts.count == 2 && Int32(parts[0]) != nil && UInt64(parts[1]) != nil, "\(text)")
            let folder = "\(directory.path)/\(context.task.folder)"
            #expect(SpoolFiles.names(folder) == ["\(context.task.fileName)"], "the marker goes with the group")
        }
    }

    @Test func retryStatusWithoutANumberUsesTheBackoff() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("echo soon; exit 75", in: directory)
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
                }
            )
            #expect(failure.message == "exit status 75")
            #expect(failure.retryAfter == nil)
            #expect(!failure.permanent)
        }
    }

    @Test func permanentStatus() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("echo 'field \"size\" missing' >&2; exit 65", in: directory)
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
                }
            )
            #expect(failure.message == "exit status 65: field \"size\" missing")
            #expect(failure.permanent)
        }
    }

    @Test func configuredStatusesReplaceTheDefaults() async throws {
        try await TemporarySpool.with { directory in
            var spec = try Script("exit 65", in: directory).spec
            spec.permanentExitCodes = [2]
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await ExecHandler(spec: spec, spoolRoot: directory.path).run(context)
                }
            )
            #expect(!failure.permanent)
        }
    }

    @Test func otherStatusIsRetriedByBackoff() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("echo 5; echo oops >&2; exit 3", in: directory)
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
                }
            )
            #expect(failure.message == "exit status 3: oops")
            #expect(failure.retryAfter == nil)
            #expect(!failure.permanent)
        }
    }

    @Test func deathBySignalIsRetriedByBackoff() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("echo dying >&2; kill -KILL $$", in: directory)
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
                }
            )
            #expect(failure.message == "killed by signal 9: dying")
            #expect(failure.retryAfter == nil)
            #expect(!failure.permanent)
        }
    }

    @Test func hugeOutputIsBoundedAndDrained() async throws {
        try await TemporarySpool.with { directory in
            // set -e: had a pipe been closed early, `tr` would die of SIGPIPE and the script fail.
            var spec = try Script(
                """
                set -e
                head -c 3000000 /dev/zero | tr '\\0' a
                head -c 3000000 /dev/zero | tr '\\0' b >&2
                """,
                in: directory
            ).spec
            spec.maximumOutputBytes = 1000
            let context = try TaskFixture.context(in: directory)
            let result = try await ExecHandler(spec: spec, spoolRoot: directory.path).run(context)
            #expect(result == .string(String(repeating: "a", count: 1000) + "…"))
        }
    }

    @Test func hugeErrorOutputIsBoundedInTheMessage() async throws {
        try await TemporarySpool.with { directory in
            var spec = try Script("head -c 3000000 /dev/zero | tr '\\0' b >&2; exit 9", in: directory).spec
            spec.maximumOutputBytes = 100
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await ExecHandler(spec: spec, spoolRoot: directory.path).run(context)
                }
            )
            #expect(failure.message == "exit status 9: " + String(repeating: "b", count: 100) + "…")
        }
    }

    @Test func truncatedJSONStaysText() async throws {
        try await TemporarySpool.with { directory in
            var spec = try Script("echo '{\"long\": \"abcdefghijklmnopqrstuvwxyz\"}'", in: directory).spec
            spec.maximumOutputBytes = 12
            let context = try TaskFixture.context(in: directory)
            let result = try await ExecHandler(spec: spec, spoolRoot: directory.path).run(context)
            #expect(result == .string("{\"long\": \"ab…"))
        }
    }

    @Test(arguments: ["spool-test-no-such-program", "/nonexistent/spool-test-program"])
    func missingProgramIsRetriedByBackoff(program: String) async throws {
        try await TemporarySpool.with { directory in
            let context = try TaskFixture.context(in: directory)
            let handler = ExecHandler(spec: ExecHandlerSpec(command: [program, "arg"]), spoolRoot: directory.path)
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(failure.message.hasPrefix("cannot run \(program): "))
            #expect(failure.retryAfter == nil)
            #expect(!failure.permanent)
        }
    }

    @Test func programWithoutExecutePermissionCannotRun() async throws {
        try await TemporarySpool.with { directory in
            let script = try Script("echo never", in: directory)
            let context = try TaskFixture.context(in: directory)
            // The script file itself is written without execute permission.
            let handler = ExecHandler(spec: ExecHandlerSpec(command: [script.path]), spoolRoot: directory.path)
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(failure.message.hasPrefix("cannot run \(script.path): "))
            #expect(!failure.permanent)
        }
    }

    @Test func missingWorkingDirectoryCannotRun() async throws {
        try await TemporarySpool.with { directory in
            var spec = try Script("pwd", in: directory).spec
            spec.workingDirectory = "\(directory.path)/missing"
            let context = try TaskFixture.context(in: directory)
            let handler = ExecHandler(spec: spec, spoolRoot: directory.path)
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(failure.message.hasPrefix("cannot run /bin/sh: "))
            #expect(failure.message.contains("/missing"), "\(failure.message)")
            #expect(!failure.permanent)
        }
    }

    @Test func programIsLookedUpInPath() async throws {
        try await TemporarySpool.with { directory in
            let context = try TaskFixture.context(in: directory)
            let handler = ExecHandler(spec: ExecHandlerSpec(command: ["echo", "found"]), spoolRoot: directory.path)
            #expect(try await handler.run(context) == .string("found"))
        }
    }

    @Test func leftoverProcessesAreKilledWhenTheCommandExits() async throws {
        try await TemporarySpool.with { directory in
            let pids = "\(directory.path)/pids"
            let script = try Script("sleep 1000 & echo $! > '\(pids)'; echo started", in: directory)
            let context = try TaskFixture.context(in: directory)
            let result = try await ExecHandler(spec: script.spec, spoolRoot: directory.path).run(context)
            #expect(result == .string("started"))
            let grandchild = try #require(try ProcessTable.pids(in: pids).first)
            #expect(await ProcessTable.ends(grandchild, within: 5))
        }
    }

    @Test func cancellationStopsAProcessGroupIgnoringSIGTERM() async throws {
        try await TemporarySpool.with { directory in
            let pids = "\(directory.path)/pids"
            // Ignoring TERM, set before the grandchild starts, is inherited by it.
            var spec = try Script(
                """
                trap '' TERM
                sleep 1000 &
                echo $$ > '\(pids).tmp'; echo $! >> '\(pids).tmp'; mv '\(pids).tmp' '\(pids)'
                wait
                """,
                in: directory
            ).spec
            spec.killGrace = 1
            let context = try TaskFixture.context(in: directory)
            let handler = ExecHandler(spec: spec, spoolRoot: directory.path)
            let running = Task { try await handler.run(context) }
            let started = try await ProcessTable.waitForPids(in: pids, count: 2, within: 10)
            let cancelled = ContinuousClock.now
            running.cancel()
            await #expect(throws: CancellationError.self) { try await running.value }
            let elapsed = ContinuousClock.now - cancelled
            #expect(elapsed >= .milliseconds(900), "SIGKILL came before the grace was over")
            #expect(elapsed < .seconds(6), "the handler took \(elapsed) to stop")
            for pid in started {
                #expect(await ProcessTable.ends(pid, within: 2), "process \(pid) survived")
            }
        }
    }

    @Test func cancellationEndsAnObedientCommandAtOnce() async throws {
        try await TemporarySpool.with { directory in
            let pids = "\(directory.path)/pids"
            var spec = try Script("echo $$ > '\(pids)'; exec sleep 1000", in: directory).spec
            spec.killGrace = 30
            let context = try TaskFixture.context(in: directory)
            let handler = ExecHandler(spec: spec, spoolRoot: directory.path)
            let running = Task { try await handler.run(context) }
            let started = try await ProcessTable.waitForPids(in: pids, count: 1, within: 10)
            let cancelled = ContinuousClock.now
            running.cancel()
            await #expect(throws: CancellationError.self) { try await running.value }
            #expect(ContinuousClock.now - cancelled < .seconds(5))
            #expect(await ProcessTable.ends(started[0], within: 2))
        }
    }

    @Test func examplesFollowTheExitStatusContract() async throws {
        let root = examplesFolder
        try await TemporarySpool.with { directory in
            let resize = ExecHandler(spec: ExecHandlerSpec(command: ["\(root)/resize.sh"]), spoolRoot: directory.path)
            let report = ExecHandler(spec: ExecHandlerSpec(command: ["\(root)/report.py"]), spoolRoot: directory.path)

            let image = JSONValue.object([
                JSONMember("image", .string("cat.png")), JSONMember("width", .number("640")),
            ])
            let resized = try await resize.run(try TaskFixture.context(in: directory, payload: image))
            #expect(resized?["output"] == .string("cat-640.png"))
            #expect(resized?["width"] == .number("640"))

            let text = JSONValue.object([JSONMember("text", .string("the cat and the hat"))])
            let counted = try await report.run(try TaskFixture.context(in: directory, payload: text))
            #expect(counted?["words"] == .number("5"))
            #expect(counted?["top"] == .array([.string("the"), .number("2")]))

            for (handler, payload) in [(resize, JSONValue.object([])), (report, .object([JSONMember("txt", .null)]))] {
                let context = try TaskFixture.context(in: directory, payload: payload)
                let failure = try #require(
                    await #expect(throws: HandlerFailure.self) { try await handler.run(context) }
                )
                #expect(failure.permanent, "\(failure.message)")
                #expect(failure.message.hasPrefix("exit status 65: "))
            }
        }
    }
}

/// The repository's `examples/handlers` folder, found from this file's path.
private let examplesFolder: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/") + "/examples/handlers"
}()

/// A `/bin/sh` script written into a test's directory, run as `/bin/sh <path>`.
struct Script {
    /// Where the script is (written without execute permission).
    let path: String

    /// Writes `body` to a new script in `directory`.
    init(_ body: String, in directory: TemporarySpool, name: String = "handler.sh") throws {
        path = "\(directory.path)/\(name)"
        try SpoolFiles.write("#!/bin/sh\n\(body)\n", to: path)
    }

    /// A spec running the script with the default settings.
    var spec: ExecHandlerSpec { ExecHandlerSpec(command: ["/bin/sh", path]) }
}
