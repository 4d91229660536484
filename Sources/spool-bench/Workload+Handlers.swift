import Hummingbird
import Logging
import SpoolCore
import SpoolSystem

extension BenchRun {
    /// W5: a real `spoold` runs `/bin/true` through an exec handler for every task, 8 at once, from its
    /// start until every task is in `done/`; then `xargs -P 8` runs `/bin/true` as many times.
    func measureExec() async throws -> [BenchResult] {
        try await settleDown()
        let count = quick ? 1000 : 10_000
        let parallelism = 8
        let spool = try freshSpool("w5")
        try enqueueInBatches(tasks(0..<count, type: "true"), into: spool)
        let seconds = try await runDaemon(
            spool,
            count: count,
            configuration: """
                workers: {concurrency: \(parallelism)}
                default_concurrency: \(parallelism)
                handlers: {true: {exec: [/bin/true]}}
                queues: {default: {handler: true}}
                """
        )
        let xargsStart = BenchClock.microseconds()
        let xargs = try BenchProcess(["sh", "-c", "seq \(count) | xargs -P \(parallelism) -n 1 /bin/true"])
        guard xargs.wait() == 0 else { throw BenchError("xargs failed") }
        let xargsSeconds = BenchClock.seconds(since: xargsStart)
        return [
            BenchResult(
                workload: "W5",
                setting: "exec /bin/true",
                summary: Figure.rate(Double(count) / seconds) + "; xargs -P \(parallelism): "
                    + Figure.rate(Double(count) / xargsSeconds),
                [
                    ("parallelism", .integer(parallelism)), ("n", .integer(count)), ("elapsed_s", .rounded(seconds, 3)),
                    ("per_s", .rounded(Double(count) / seconds)),
                ]
            ),
            {
                var line = BenchResult(
                    workload: "W5",
                    setting: "xargs -P \(parallelism) /bin/true",
                    summary: Figure.rate(Double(count) / xargsSeconds),
                    [
                        ("parallelism", .integer(parallelism)), ("n", .integer(count)),
                        ("elapsed_s", .rounded(xargsSeconds, 3)), ("per_s", .rounded(Double(count) / xargsSeconds)),
                    ]
                )
                line.peer = "xargs"
                return line
            }(),
        ]
    }

    /// W6: a real `spoold` runs every task through the http handler, a POST to a local server, 32 at once.
    func measureHTTP() async throws -> [BenchResult] {
        try await settleDown()
        let count = taskCount
        let concurrency = 32
        let port = 18_000 + Int(LocalProcess.id % 2000)
        let router = Router()
        router.post("hook/:id") { _, _ in #"{"ok":true}"# }
        var logger = Logger(label: "bench-server")
        logger.logLevel = .critical
        let server = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
            logger: logger
        )
        let spool = try freshSpool("w6")
        try enqueueInBatches(tasks(0..<count, type: "hook"), into: spool)
        let seconds = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.runService() }
            defer { group.cancelAll() }
            return try await runDaemon(
                spool,
                count: count,
                configuration: """
                    workers: {concurrency: \(concurrency)}
                    default_concurrency: \(concurrency)
                    handlers: {hook: {http: "http://127.0.0.1:\(port)/hook/{id}"}}
                    queues: {default: {handler: hook}}
                    """
            )
        }
        return [
            BenchResult(
                workload: "W6",
                setting: "http local",
                summary: Figure.rate(Double(count) / seconds),
                [
                    ("concurrency", .integer(concurrency)), ("n", .integer(count)), ("elapsed_s", .rounded(seconds, 3)),
                    ("per_s", .rounded(Double(count) / seconds)),
                    ("note", .string("POST per task to a Hummingbird server in the benchmark process; result stored")),
                ]
            )
        ]
    }

    /// Starts `spoold` with `configuration` on a spool holding `count` tasks and returns the seconds from its
    /// start until every task is finished.
    private func runDaemon(_ spool: Spool, count: Int, configuration: String) async throws -> Double {
        let start = BenchClock.microseconds()
        let daemon = try startDaemon(spool, configuration: configuration)
        defer { daemon.stop() }
        try await waitUntilFinished(spool, count: count)
        return BenchClock.seconds(since: start)
    }
}
