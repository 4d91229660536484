import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SpoolCore
import SpoolSystem
import SystemPackage

extension BenchRun {
    /// API: `spoold --mode api` takes tasks from 32 concurrent clients over loopback, each POST answered
    /// only once its task is durable (the default durability), one task per request and 100 per batch
    /// request; then the same tasks through `spoolctl enqueue`, 32 processes at once, one task each, and
    /// through one `spoolctl enqueue --file`.
    func measureAPI() async throws -> [BenchResult] {
        let count = taskCount
        let clients = 32
        let token = "bench-token-0123456789abcdef"
        var results: [BenchResult] = []
        for (setting, batch) in [("POST /v1/tasks", 1), ("POST /v1/tasks/batch of 100", 100)] {
            try await settleDown()
            let spool = try freshSpool("api-\(batch)")
            let port = 19_000 + Int(LocalProcess.id % 2000) + batch
            let daemon = try startDaemon(
                spool,
                configuration: "api: {listen: \"127.0.0.1:\(port)\", auth: {tokens: [\(token)]}}\n",
                mode: "api"
            )
            defer { daemon.stop() }
            let client = HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: HTTPClient.Configuration(
                    connectionPool: .init(
                        idleTimeout: .seconds(60),
                        concurrentHTTP1ConnectionsPerHostSoftLimit: clients
                    )
                )
            )
            try await waitUntilServing(port: port, client: client)
            let url = "http://127.0.0.1:\(port)/v1/tasks" + (batch > 1 ? "/batch" : "")
            let requests = count / batch
            let bodies = (0..<requests).map { index in
                let documents = (0..<batch).map {
                    String(decoding: JSONWriter.encode(taskDocument(index * batch + $0)), as: UTF8.self)
                }
                return batch > 1 ? "[" + documents.joined(separator: ",") + "]" : documents[0]
            }
            let start = BenchClock.microseconds()
            let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                for lane in 0..<clients {
                    group.addTask {
                        var own: [Double] = []
                        for index in stride(from: lane, to: requests, by: clients) {
                            var request = HTTPClientRequest(url: url)
                            request.method = .POST
                            request.headers.add(name: "Authorization", value: "Bearer \(token)")
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(ByteBuffer(string: bodies[index]))
                            let sent = BenchClock.microseconds()
                            let response = try await client.execute(request, timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            guard response.status == .created else {
                                throw BenchError("the API answered \(response.status) to task \(index)")
                            }
                            own.append(BenchClock.seconds(since: sent) * 1000)
                        }
                        return own
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let seconds = BenchClock.seconds(since: start)
            try await client.shutdown()
            let listed = spool.stats().queues.reduce(0) { $0 + $1[.active] }
            guard listed == count else { throw BenchError("API: \(listed) of \(count) tasks in active/") }
            let quantiles = Percentiles(latencies)
            results.append(
                BenchResult(
                    workload: "API",
                    setting: "\(setting), \(clients) clients",
                    summary: Figure.rate(Double(count) / seconds)
                        + ", request p50 \(Figure.milliseconds(quantiles.at(0.5)))"
                        + ", p99 \(Figure.milliseconds(quantiles.at(0.99)))",
                    [
                        ("clients", .integer(clients)), ("per_request", .integer(batch)), ("n", .integer(count)),
                        ("elapsed_s", .rounded(seconds, 3)), ("per_s", .rounded(Double(count) / seconds)),
                        ("p50_ms", .rounded(quantiles.at(0.5), 2)), ("p99_ms", .rounded(quantiles.at(0.99), 2)),
                        ("durability", .string("enqueue: each answer sent once its tasks are flushed")),
                    ]
                )
            )
        }
        results.append(try await measureSpoolctlEnqueue(count: count / 10, processes: clients))
        return results
    }

    /// The same tasks through `spoolctl enqueue`: `processes` at once, one task each, then the whole lot
    /// through one `spoolctl enqueue --file`.
    private func measureSpoolctlEnqueue(count: Int, processes: Int) async throws -> BenchResult {
        try await settleDown()
        let spool = try freshSpool("api-spoolctl")
        let spoolctl = BenchProcess.sibling("spoolctl")
        let start = BenchClock.microseconds()
        let script =
            "seq 0 \(count - 1) | xargs -P \(processes) -I N \(spoolctl) --spool \(spool.root) enqueue"
            + " --queue default --type noop --payload '{\"order\":N}' > /dev/null"
        guard try BenchProcess(["sh", "-c", script]).wait() == 0 else { throw BenchError("spoolctl enqueue failed") }
        let seconds = BenchClock.seconds(since: start)

        let bulk = try freshSpool("api-spoolctl-file")
        let file = "\(base)/tasks.jsonl"
        let lines = (0..<taskCount).map { String(decoding: JSONWriter.encode(taskDocument($0)), as: UTF8.self) }
        let descriptor = try FileDescriptor.open(
            file,
            .writeOnly,
            options: [.create, .truncate],
            permissions: [.ownerReadWrite]
        )
        try descriptor.closeAfter { try $0.writeAll(Array((lines.joined(separator: "\n") + "\n").utf8)) }
        let fileStart = BenchClock.microseconds()
        // Its ids go to /dev/null: a pipe nobody reads would stop it once full.
        let command = "\(spoolctl) --spool \(bulk.root) enqueue --file \(file) > /dev/null"
        guard try BenchProcess(["sh", "-c", command]).wait() == 0 else {
            throw BenchError("spoolctl enqueue --file failed")
        }
        let fileSeconds = BenchClock.seconds(since: fileStart)
        return BenchResult(
            workload: "API",
            setting: "spoolctl enqueue, \(processes) processes",
            summary: Figure.rate(Double(count) / seconds) + "; one spoolctl enqueue --file of \(taskCount): "
                + Figure.rate(Double(taskCount) / fileSeconds),
            [
                ("processes", .integer(processes)), ("n", .integer(count)), ("elapsed_s", .rounded(seconds, 3)),
                ("per_s", .rounded(Double(count) / seconds)), ("file_n", .integer(taskCount)),
                ("file_per_s", .rounded(Double(taskCount) / fileSeconds)),
            ]
        )
    }

    /// Task `index` as a task-file document: the payload of the other workloads.
    private func taskDocument(_ index: Int) -> JSONValue {
        .object([JSONMember("type", .string("noop")), JSONMember("payload", payload(index))])
    }

    /// Waits until the API on `port` of 127.0.0.1 answers `/healthz`, at most ten seconds.
    private func waitUntilServing(port: Int, client: HTTPClient) async throws {
        for _ in 0..<200 {
            let probe = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
            if let response = try? await client.execute(probe, timeout: .seconds(1)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("the API on port \(port) did not answer")
    }
}
