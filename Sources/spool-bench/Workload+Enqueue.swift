import SpoolCore
import SpoolSystem

extension BenchRun {
    /// W1: enqueue of ~200-byte tasks, due now: one call per task at the default durability, a bulk call
    /// sharing one flush, one call per task with durability off, and a Python producer dropping files into
    /// `incoming/` while `spoold` ingests them.
    func measureEnqueue() async throws -> [BenchResult] {
        let count = taskCount
        var results: [BenchResult] = []
        for (setting, durability, batched) in [
            ("call", Durability.enqueue, false), ("batch", .enqueue, true), ("none", .none, false),
        ] {
            try await settleDown()
            let spool = try freshSpool("w1-\(setting)", durability: durability)
            let tasks = self.tasks(0..<count)
            let start = BenchClock.microseconds()
            if batched {
                try enqueueInBatches(tasks, into: spool)
            } else {
                for task in tasks { try spool.enqueue(task) }
            }
            let seconds = BenchClock.seconds(since: start)
            results.append(
                enqueueResult(
                    setting: setting,
                    durability: durabilityNote(durability, batched: batched),
                    count: count,
                    seconds: seconds
                )
            )
        }
        for flushes in [true, false] {
            try await settleDown()
            results.append(try await measurePythonDrop(count: count, flushes: flushes))
        }
        return results
    }

    private func durabilityNote(_ durability: Durability, batched: Bool) -> String {
        switch (durability, batched) {
        case (.none, _): "none: nothing flushed"
        case (_, true): "enqueue: 1,000 tasks per call, one filesystem flush and one folder flush per call"
        default: "enqueue: file and folder flushed before each call returns"
        }
    }

    private func enqueueResult(setting: String, durability: String, count: Int, seconds: Double) -> BenchResult {
        BenchResult(
            workload: "W1",
            setting: setting,
            summary: Figure.rate(Double(count) / seconds),
            [
                ("durability", .string(durability)), ("n", .integer(count)), ("elapsed_s", .rounded(seconds, 3)),
                ("per_s", .rounded(Double(count) / seconds)),
            ]
        )
    }

    /// A Python producer drops `count` files into `incoming/` the documented way (a hidden name, then a
    /// rename; with `flushes`, the file flushed before the rename and the folder after it) while a
    /// `spoold` in scheduler mode ingests them.
    private func measurePythonDrop(count: Int, flushes: Bool) async throws -> BenchResult {
        let spool = try freshSpool("w1-python")
        let daemon = try startDaemon(spool, configuration: "durability: enqueue\n", mode: "scheduler")
        defer { daemon.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let producer = try BenchProcess(
            ["python3", "-c", Self.pythonProducer, spool.root, "\(count)", flushes ? "flush" : "none"],
            pipeOutput: true
        )
        guard let line = producer.readLine(), let seconds = Double(line) else {
            producer.wait()
            throw BenchError("the Python producer failed")
        }
        producer.wait()
        return enqueueResult(
            setting: flushes ? "python-drop" : "python-drop-nosync",
            durability: flushes
                ? "each drop's file flushed before its rename into incoming/, and incoming/ after it"
                : "none: drops not flushed",
            count: count,
            seconds: seconds
        )
    }

    /// The producer of FORMAT.md section 7, timed: argv is the spool, the count and `flush` or `none`;
    /// prints the seconds taken.
    static let pythonProducer = #"""
        import json, os, sys, time
        spool, count, flush = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "flush"
        incoming = os.path.join(spool, "incoming")
        folder = os.open(incoming, os.O_RDONLY | os.O_DIRECTORY)
        start = time.perf_counter()
        for i in range(count):
            task = {"type": "noop", "payload": {"order": i, "callback": f"https://shop.example/hooks/orders/{i}", "note": "x" * 80}}
            hidden = os.path.join(incoming, f".drop.{os.getpid()}.{i}")
            fd = os.open(hidden, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, json.dumps(task).encode())
            if flush:
                os.fsync(fd)
            os.close(fd)
            os.rename(hidden, os.path.join(incoming, f"drop.{os.getpid()}.{i}.json"))
            if flush:
                os.fsync(folder)
        print(time.perf_counter() - start, flush=True)
        """#
}
