import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `examples/machinery`, Machinery's example app on Spool, run as its README says: a worker with a periodic
/// task, and a sender whose chain and chord print their results.
@Suite(.timeLimit(.minutes(2))) struct MachineryExampleTests {
    static let folder = "\(repositoryRoot)/examples/machinery"

    /// The README's lines indented by four spaces that start with `prefix`, without the indent.
    static func readmeLines(startingWith prefix: String) throws -> [String] {
        let text = String(decoding: try SpoolFiles.read("\(folder)/README.md"), as: UTF8.self)
        return text.split(separator: "\n").filter { $0.hasPrefix("    " + prefix) }.map { String($0.dropFirst(4)) }
    }

    @Test func theReadmeCommandsPrintTheResultsAndTheHooksRunOncePerAttempt() async throws {
        try await TemporarySpool.with { directory in
            let run = "swift run spool-example-machinery "
            let commands = try MachineryExampleTests.readmeLines(startingWith: run).map { line in
                line.dropFirst(run.count).split(separator: " ").map { $0 == "spool" ? directory.path : String($0) }
            }
            try #require(commands.count == 2, "the README runs a worker and a sender")
            // A tick every second, so that the periodic task fires while the test runs.
            let worker = try ChildProcess("spool-example-machinery", commands[0] + ["--periodic", "@every 1s"])
            let sender = try ChildProcess("spool-example-machinery", commands[1])
            #expect(await sender.wait() == 0, "\(sender.errorOutput)")
            let printed =
                try MachineryExampleTests.readmeLines(startingWith: "chain ")
                + MachineryExampleTests.readmeLines(startingWith: "group ")
            #expect(printed.count == 2)
            #expect(sender.output == printed.map { $0 + "\n" }.joined(), "the README shows what it prints")
            #expect(sender.output.contains(": 10\n") && sender.output.contains(": 110\n"))

            let spool = try directory.open()
            let periodic = await eventually {
                finished(in: directory).contains { $0.id.hasPrefix("cron-periodic-add-") && $0.result == .integer(5) }
            }
            #expect(periodic, "the periodic task fired and ran at least once")
            worker.send(SIGTERM)
            #expect(await worker.wait() == 0, "\(worker.errorOutput)")

            // Every task ran once, each attempt between one line of each hook.
            let tasks = finished(in: directory)
            #expect(tasks.allSatisfy { spool.find(id: $0.id)?.state == .done })
            #expect(tasks.count(where: { $0.type == "add" && !$0.id.hasPrefix("cron-") }) == 11)
            #expect(tasks.count(where: { $0.type == "multiply" || $0.type == "sum" }) == 2)
            let before = hookedIDs(in: worker.errorOutput, line: "before attempt")
            let after = hookedIDs(in: worker.errorOutput, line: "after attempt")
            for task in tasks {
                let attempts = task.attempts.count + 1
                #expect(before.count(where: { $0 == task.id }) == attempts, "\(task.id): one before hook per attempt")
                #expect(after.count(where: { $0 == task.id }) == 1, "\(task.id): one after hook per success")
            }
            #expect(before.count == tasks.reduce(0) { $0 + $1.attempts.count + 1 }, "no hook for any other task")
        }
    }

    @Test func aSenderWhoseChainFailsSaysSoAndExitsWithStatusOne() async throws {
        try await TemporarySpool.with { directory in
            // No worker: the test fails the chain's first step by hand, and the chain ends there.
            let sender = try ChildProcess("spool-example-machinery", ["send", directory.path])
            let spool = try directory.open()
            let failed = await eventually {
                guard let task = try? spool.claimNext() else { return false }
                _ = try? spool.fail(task, error: "no worker", permanent: true)
                return true
            }
            #expect(failed)
            #expect(await sender.wait() == 1)
            #expect(sender.output.isEmpty)
            #expect(sender.errorOutput.contains("(add) is dead: permanent failure: no worker"), "\(sender.errorOutput)")
        }
    }

    /// The tasks in `done/` and `dead/`, read from their files.
    private func finished(in directory: TemporarySpool) -> [TaskRecord] {
        ["done", "dead"].flatMap { state in
            SpoolFiles.files(under: "\(directory.path)/\(state)").filter { $0.hasSuffix(".json") }.compactMap { path in
                let bytes = (try? SpoolFiles.read("\(directory.path)/\(state)/\(path)")) ?? []
                return try? TaskRecord.parse(bytes, now: SystemClock().now, makeID: { "" })
            }
        }
    }

    /// The task ids named by the log lines that end in `line`, in order.
    private func hookedIDs(in log: String, line: String) -> [String] {
        log.split(separator: "\n").filter { $0.hasSuffix(" \(line)") }.compactMap { text in
            text.split(separator: " ").first { $0.hasPrefix("spool.task.id=") }.map { String($0.dropFirst(14)) }
        }
    }
}
