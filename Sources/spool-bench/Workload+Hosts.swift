import SpoolCore
import SpoolSystem
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

extension BenchRun {
    /// HOSTS: one spool shared by 1, 2 and 3 "hosts", each a `spoold` in poll mode (200 ms) with its own
    /// host id, in its own UTS namespace when run as root, on its own mount of the spool's filesystem
    /// (`mounts`: the folder `--directory` names, seen through each host's mount; without them every host
    /// uses `--directory`, as processes of one machine do).
    ///
    /// - Enqueue: one producer process per host, each enqueueing through its host's mount, one call per
    ///   task at the default durability, its share of the tasks; from the first enqueue to the last. The
    ///   queue is paused meanwhile, so that the hosts' daemons run but claim nothing.
    /// - Drain: then the queue is resumed, and the daemons run the tasks with `exec /bin/true`, 8 at once
    ///   each; from the resume to the last finish (a daemon sees the resume at its next poll).
    /// - Arrival: tasks enqueued one at a time through host 1's mount, at random gaps of 0 to 200 ms, run
    ///   by a lone `spoold` on host 2's mount whose handler prints the time it started; the time from the
    ///   enqueue's return to that start.
    func measureHosts(mounts: [String]) async throws -> [BenchResult] {
        let total = quick ? 600 : 3000
        let filesystem = fileSystemType(of: base)
        var results: [BenchResult] = []
        for hosts in 1...3 {
            try await settleDown()
            let spool = try freshSpool("hosts-\(hosts)")
            try writeConfiguration(
                """
                watch: poll
                poll_interval: 200ms
                workers: {concurrency: 8}
                default_concurrency: 8
                handlers: {true: {exec: [/bin/true]}}
                queues: {default: {handler: true}}

                """,
                into: spool
            )
            try spool.pause("default")
            let roots = try (1...hosts).map { try hostRoot(of: spool, host: $0, mounts: mounts) }
            let daemons = try roots.enumerated().map { try startHost($0.offset + 1, root: $0.element) }
            defer { daemons.forEach { $0.stop() } }
            let share = total / hosts
            let producers = try roots.enumerated().map { index, root in
                try startProducer(root: root, count: share, offset: index * share)
            }
            // The daemons finish starting (their first scans) before anything is timed.
            try await Task.sleep(for: .seconds(2))
            for producer in producers { try producer.send("go") }
            let reports = try producers.map { try finalReport(of: $0) }
            let starts = reports.compactMap { $0["start_us"]?.integerValue }
            let ends = reports.compactMap { $0["end_us"]?.integerValue }
            guard starts.count == hosts, ends.count == hosts else { throw BenchError("HOSTS: a producer failed") }
            let enqueueSeconds = Double(ends.max()! - starts.min()!) / 1_000_000
            let waiting = spool.entryNames(in: SpoolLayout.activeFolder(queue: "default")).count
            guard waiting == share * hosts else {
                throw BenchError("HOSTS: \(waiting) tasks waiting after the enqueue, not \(share * hosts)")
            }
            let perProducer = reports.map { Double($0["enqueued"]?.integerValue ?? 0) }
            let producerSeconds = reports.map {
                Double(($0["end_us"]?.integerValue ?? 0) - ($0["start_us"]?.integerValue ?? 0)) / 1_000_000
            }
            results.append(
                BenchResult(
                    workload: "HOSTS",
                    setting: "enqueue \(hosts) host\(hosts == 1 ? "" : "s")",
                    summary: Figure.rate(Double(share * hosts) / enqueueSeconds) + " ("
                        + zip(perProducer, producerSeconds).map { Figure.rate($0 / $1) }.joined(separator: " + ")
                        + ")",
                    [
                        ("filesystem", .string(filesystem)), ("hosts", .integer(hosts)),
                        ("n", .integer(share * hosts)), ("elapsed_s", .rounded(enqueueSeconds, 3)),
                        ("per_s", .rounded(Double(share * hosts) / enqueueSeconds)),
                        ("per_producer_per_s", .array(zip(perProducer, producerSeconds).map { .rounded($0 / $1) })),
                        (
                            "client",
                            .string("Spool.enqueue, one call per task, durability enqueue, one process per host")
                        ),
                    ]
                )
            )

            let drainStart = BenchClock.microseconds()
            try spool.resume("default")
            try await waitUntilFinished(spool, count: share * hosts)
            let drainSeconds = BenchClock.seconds(since: drainStart)
            results.append(
                BenchResult(
                    workload: "HOSTS",
                    setting: "drain \(hosts) host\(hosts == 1 ? "" : "s")",
                    summary: Figure.rate(Double(share * hosts) / drainSeconds),
                    [
                        ("filesystem", .string(filesystem)), ("hosts", .integer(hosts)),
                        ("n", .integer(share * hosts)), ("elapsed_s", .rounded(drainSeconds, 3)),
                        ("per_s", .rounded(Double(share * hosts) / drainSeconds)),
                        ("handler", .string("exec /bin/true, 8 at once per host; watch poll, 200 ms")),
                    ]
                )
            )
        }
        results.append(try await measureArrival(mounts: mounts, filesystem: filesystem))
        return results
    }

    /// The arrival row of HOSTS: enqueued through host 1, run by host 2.
    private func measureArrival(mounts: [String], filesystem: String) async throws -> BenchResult {
        try await settleDown()
        let count = quick ? 40 : 200
        let spool = try freshSpool("hosts-arrival")
        try writeConfiguration(
            """
            watch: poll
            poll_interval: 200ms
            handlers: {stamp: {exec: [/bin/date, "+%s%N"]}}
            queues: {default: {handler: stamp}}

            """,
            into: spool
        )
        let daemon = try startHost(2, root: try hostRoot(of: spool, host: 2, mounts: mounts))
        defer { daemon.stop() }
        try await Task.sleep(for: .seconds(2))
        var enqueued: [(id: String, at: Int64)] = []
        for _ in 0..<count {
            let id = try spool.enqueue(NewTask(type: "stamp", payload: .null))
            enqueued.append((id, BenchClock.microseconds()))
            try await Task.sleep(for: .microseconds(Int.random(in: 0..<200_000)))
        }
        try await waitUntilFinished(spool, count: count, timeout: 120)
        let latencies = try enqueued.map { task -> Double in
            guard let location = spool.finishedLocation(id: task.id, queue: "default"),
                let started = try spool.record(at: location).result?.integerValue
            else { throw BenchError("HOSTS: task \(task.id) has no start time") }
            return Double(Int64(started) / 1000 - task.at) / 1000
        }
        let sample = Percentiles(latencies)
        return BenchResult(
            workload: "HOSTS",
            setting: "arrival 1 -> 2",
            summary: "p50 \(Figure.milliseconds(sample.at(0.5))), p99 \(Figure.milliseconds(sample.at(0.99))), "
                + "max \(Figure.milliseconds(sample.maximum))",
            [
                ("filesystem", .string(filesystem)), ("n", .integer(count)),
                ("arrival_ms_p50", .rounded(sample.at(0.5), 1)), ("arrival_ms_p99", .rounded(sample.at(0.99), 1)),
                ("arrival_ms_min", .rounded(sample.minimum, 1)), ("arrival_ms_max", .rounded(sample.maximum, 1)),
                (
                    "note",
                    .string(
                        "enqueue through host 1 returned -> handler (/bin/date) started on host 2; watch poll, 200 ms"
                    )
                ),
            ]
        )
    }

    /// The root of `spool` as host `host` (from 1) sees it: through its mount, waiting up to 10 s for the
    /// folder to show there.
    private func hostRoot(of spool: Spool, host: Int, mounts: [String]) throws -> String {
        guard !mounts.isEmpty else { return spool.root }
        let root = mounts[(host - 1) % mounts.count] + spool.root.dropFirst(directory.count)
        let start = BenchClock.microseconds()
        while (try? Syscall.status(root + "/spool.yaml", in: .currentWorkingDirectory)) == nil {
            guard BenchClock.seconds(since: start) < 10 else { throw BenchError("HOSTS: \(root) does not show") }
            OSThread.sleep(milliseconds: 50)
        }
        return root
    }

    /// Starts host `host`'s `spoold` on `root`, with the host id `host<n>`; as root, in a UTS namespace of
    /// its own whose host name is that id.
    private func startHost(_ host: Int, root: String) throws -> BenchProcess {
        let id = "host\(host)"
        let launcher =
            geteuid() == 0 && access("/usr/bin/unshare", X_OK) == 0
            ? ["/usr/bin/unshare", "--uts", "/bin/sh", "-c", "hostname \"$0\" && exec \"$@\"", id] : []
        return try startDaemon(root: root, arguments: ["--host-id", id], launcher: launcher)
    }

    /// Starts a producer process (`spool-bench --produce`) on `root` and waits until it is ready.
    private func startProducer(root: String, count: Int, offset: Int) throws -> BenchProcess {
        let producer = try BenchProcess(
            [
                BenchProcess.sibling("spool-bench"), "--produce", root, "--produce-count", "\(count)",
                "--produce-offset", "\(offset)",
            ],
            pipeInput: true,
            pipeOutput: true
        )
        guard producer.readLine(timeout: 30)?.contains("ready") == true else {
            producer.stop()
            throw BenchError("a producer process did not start")
        }
        return producer
    }

    /// The type of the filesystem holding `path` (`ext4`, `fuse.glusterfs`...), from `/proc/self/mounts`.
    func fileSystemType(of path: String) -> String {
        guard let file = try? FileDescriptor.open("/proc/self/mounts", .readOnly),
            let content = file.closeAfter({ try? $0.readAll(limit: 1 << 20).bytes })
        else { return "unknown" }
        var best = (length: -1, type: "unknown")
        for line in String(decoding: content, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 2 else { continue }
            let point = String(fields[1])
            let covers = point == "/" || path == point || path.hasPrefix(point + "/")
            if covers, point.count > best.length { best = (point.count, String(fields[2])) }
        }
        return best.type
    }
}
