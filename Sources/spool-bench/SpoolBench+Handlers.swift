import Hummingbird
import Logging
import SpoolCore
import SpoolSystem
import SystemPackage

extension SpoolBench {
    /// Tasks run by a real `spoold` through an exec handler (`/bin/cat`: the payload comes back as the
    /// result) and through an HTTP handler calling a local server, from enqueued to `done/`.
    func measureHandlers() async throws -> [BenchResult] {
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
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.runService() }
            defer { group.cancelAll() }
            return [
                try await measureDaemon(
                    handler: "exec: [/bin/cat]",
                    concurrency: 8,
                    setting: "handler=exec /bin/cat"
                ),
                try await measureDaemon(
                    handler: "http: \"http://127.0.0.1:\(port)/hook/{id}\"",
                    concurrency: 32,
                    setting: "handler=http local"
                ),
            ]
        }
    }

    private func measureDaemon(handler: String, concurrency: Int, setting: String) async throws -> BenchResult {
        let (spool, root) = try freshSpool("daemon", durability: .enqueue)
        defer { Syscall.removeTree(root) }
        let configuration = """
            workers: {concurrency: \(concurrency)}
            default_concurrency: \(concurrency)
            handlers: {h: {\(handler)}}
            queues: {default: {handler: h}}
            """
        let file = try FileDescriptor.open(
            "\(root)/spool.yaml",
            .writeOnly,
            options: [.create, .truncate],
            permissions: [.ownerReadWrite]
        )
        try file.closeAfter { try $0.writeAll(Array(configuration.utf8)) }
        for index in 0..<count { try spool.enqueue(NewTask(type: "hook", payload: payload(index))) }
        let start = FileTime.now()
        let daemon = try DaemonProcess(root: root)
        defer { daemon.stop() }
        while finishedCount(spool) < count {
            try await Task.sleep(for: .milliseconds(100))
        }
        let seconds = elapsed(since: start)
        return BenchResult(setting: setting, workload: "spoold-e2e", perSecond: Double(count) / seconds, seconds: seconds)
    }

    /// Tasks in `done/default/` and `dead/default/`, by listing their day folders.
    private func finishedCount(_ spool: Spool) -> Int {
        ["done/default", "dead/default"].reduce(0) { total, folder in
            spool.entryNames(in: folder).reduce(total) { $0 + spool.entryNames(in: "\(folder)/\($1)").count }
        }
    }
}
