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
        for mode in PythonDrop.allCases {
            try await settleDown()
            results.append(try await measurePythonDrop(count: count, mode: mode))
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

    /// How the Python producer flushes its drops, in the order measured. `spoold` deletes each drop once
    /// it has written the task's normal form, and ext4 without a journal scans past freshly freed inodes
    /// on every create for minutes, so each mode slows the ones after it: the batched durable drop, the
    /// one FORMAT.md advises for many tasks, goes first.
    enum PythonDrop: String, CaseIterable {
        /// 1,000 files written, one `os.sync()`, their renames, one flush of `incoming/`.
        case batch
        /// Each file before its rename, and `incoming/` after it.
        case flush
        /// Nothing.
        case none

        var setting: String {
            switch self {
            case .flush: "python-drop"
            case .batch: "python-drop-batch"
            case .none: "python-drop-nosync"
            }
        }

        var durability: String {
            switch self {
            case .flush: "each drop's file flushed before its rename into incoming/, and incoming/ after it"
            case .batch: "1,000 drops written, one os.sync(), renamed, then incoming/ flushed once"
            case .none: "none: drops not flushed"
            }
        }
    }

    /// A Python producer drops `count` files into `incoming/` the documented way (a hidden name, then a
    /// rename, flushed as `mode` says) while a `spoold` in scheduler mode ingests them.
    private func measurePythonDrop(count: Int, mode: PythonDrop) async throws -> BenchResult {
        let spool = try freshSpool("w1-python")
        let daemon = try startDaemon(spool, configuration: "durability: enqueue\n", mode: "scheduler")
        defer { daemon.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let producer = try BenchProcess(
            ["python3", "-c", Self.pythonProducer, spool.root, "\(count)", mode.rawValue],
            pipeOutput: true
        )
        guard let line = producer.readLine(), let seconds = Double(line) else {
            producer.wait()
            throw BenchError("the Python producer failed")
        }
        producer.wait()
        return enqueueResult(setting: mode.setting, durability: mode.durability, count: count, seconds: seconds)
    }

    /// The producer of FORMAT.md section 7, timed: argv is the spool, the count and a ``PythonDrop`` mode;
    /// prints the seconds taken.
    static let pythonProducer = #"""
        import json, os, sys, time
        spool, count, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        incoming = os.path.join(spool, "incoming")
        folder = os.open(incoming, os.O_RDONLY | os.O_DIRECTORY)
        batch = 1000 if mode == "batch" else 1
        start = time.perf_counter()
        for first in range(0, count, batch):
            names = []
            for i in range(first, min(first + batch, count)):
                task = {"type": "noop", "payload": {"order": i, "callback": f"https://shop.example/hooks/orders/{i}", "note": "x" * 80}}
                hidden = os.path.join(incoming, f".drop.{os.getpid()}.{i}")
                fd = os.open(hidden, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                os.write(fd, json.dumps(task).encode())
                if mode == "flush":
                    os.fsync(fd)
                os.close(fd)
                names.append((hidden, os.path.join(incoming, f"drop.{os.getpid()}.{i}.json")))
            if mode == "batch":
                os.sync()
            for hidden, name in names:
                os.rename(hidden, name)
            if mode != "none":
                os.fsync(folder)
        print(time.perf_counter() - start, flush=True)
        """#
}
