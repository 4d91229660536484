import SpoolCore
import SpoolSystem
import SystemPackage
import Tracing

#if canImport(Glibc)
import Glibc
#endif

/// What the workloads share: where their spools go, the counts, and helpers to make tasks, start
/// processes and wait for them.
///
/// Every spool of a run lives under one folder, removed only when the run ends: deleting files is costly
/// on some filesystems, and the deletes of one workload must not slow down the next.
final class BenchRun {
    /// The folder given by `--directory`, under which `base` is made.
    let directory: String
    let base: String
    let quick: Bool
    let settle: Double
    private var spools = 0

    init(directory: String, quick: Bool, settle: Double) throws {
        self.directory = directory
        base = "\(directory)/spool-bench-\(LocalProcess.id)"
        self.quick = quick
        self.settle = settle
        Syscall.removeTree(base)
        do {
            try Syscall.makeDirectory(base, in: .currentWorkingDirectory)
        } catch {
            throw BenchError("cannot create \(base): \(error)")
        }
    }

    /// Tasks per throughput run, as in the peers' W1 and W2.
    var taskCount: Int { quick ? 2000 : 20_000 }

    /// A new empty spool, traced by `tracer`.
    func freshSpool(_ name: String, durability: Durability = .enqueue, tracer: any Tracer = NoOpTracer()) throws
        -> Spool
    {
        spools += 1
        return try Spool(
            root: "\(base)/\(spools)-\(name)",
            configuration: SpoolConfiguration(durability: durability),
            tracer: tracer
        )
    }

    /// A ~200-byte payload, like the peers'.
    func payload(_ index: Int) -> JSONValue { Self.payload(index) }

    /// A ~200-byte payload, like the peers', for the benchmark's child processes too.
    static func payload(_ index: Int) -> JSONValue {
        .object([
            JSONMember("order", .integer(index)),
            JSONMember("callback", .string("https://shop.example/hooks/orders/\(index)")),
            JSONMember("note", .string(String(repeating: "x", count: 80))),
        ])
    }

    /// `count` tasks of type `type`, due now or after `delay`.
    func tasks(_ range: Range<Int>, type: String = "noop", delay: (Int) -> Double? = { _ in nil }) -> [NewTask] {
        range.map { NewTask(type: type, payload: payload($0), delay: delay($0)) }
    }

    /// Enqueues `tasks` in batches of 1,000 (one flush each).
    func enqueueInBatches(_ tasks: [NewTask], into spool: Spool) throws {
        var start = 0
        while start < tasks.count {
            let end = min(start + 1000, tasks.count)
            try spool.enqueue(contentsOf: Array(tasks[start..<end]))
            start = end
        }
    }

    /// Waits `--settle` seconds, if set, so that the write-back of earlier workloads is over.
    func settleDown() async throws {
        guard settle > 0 else { return }
        report("settling for \(Int(settle)) s")
        try await Task.sleep(for: .seconds(settle))
    }

    /// Writes `spool.yaml` into the spool and starts `spoold` on it.
    func startDaemon(_ spool: Spool, configuration: String, mode: String = "all") throws -> BenchProcess {
        try writeConfiguration(configuration, into: spool)
        return try startDaemon(root: spool.root, mode: mode)
    }

    /// Writes `configuration` as the spool's `spool.yaml`.
    func writeConfiguration(_ configuration: String, into spool: Spool) throws {
        let file = try FileDescriptor.open(
            "\(spool.root)/spool.yaml",
            .writeOnly,
            options: [.create, .truncate],
            permissions: [.ownerReadWrite, .groupRead, .otherRead]
        )
        try file.closeAfter { try $0.writeAll(Array(configuration.utf8)) }
    }

    /// Starts `spoold` on the spool at `root` with its `spool.yaml`, `arguments` added, run through
    /// `launcher` (such as `unshare`) when one is given.
    func startDaemon(root: String, mode: String = "all", arguments: [String] = [], launcher: [String] = [])
        throws -> BenchProcess
    {
        try BenchProcess(
            launcher + [BenchProcess.sibling("spoold"), "--spool", root, "--mode", mode, "--log-level", "warning"]
                + arguments
        )
    }

    /// Starts a worker process (`spool-bench --serve`) on the spool and waits until it is ready.
    func startWorker(_ spool: Spool, expected: Int = 0, concurrency: Int = 8, roles: String = "working") throws
        -> BenchProcess
    {
        let worker = try BenchProcess(
            [
                BenchProcess.sibling("spool-bench"), "--serve", spool.root, "--serve-expected=\(expected)",
                "--serve-concurrency", "\(concurrency)", "--serve-roles", roles,
            ],
            pipeInput: true,
            pipeOutput: true
        )
        guard worker.readLine(timeout: 30)?.contains("ready") == true else {
            worker.stop()
            throw BenchError("the worker process did not start")
        }
        return worker
    }

    /// The last line of a worker process, parsed, after its progress lines.
    func finalReport(of worker: BenchProcess) throws -> JSONValue {
        while let line = worker.readLine() {
            if let value = try? JSONParser.parse(Array(line.utf8)), value["final"] != nil {
                worker.wait()
                return value
            }
        }
        worker.wait()
        throw BenchError("the worker process ended without a report")
    }

    /// Tasks in `done/<queue>/` and `dead/<queue>/`, by listing their day folders.
    func finishedCount(_ spool: Spool, queue: String = "default") -> Int {
        ["done/\(queue)", "dead/\(queue)"].reduce(0) { total, folder in
            spool.entryNames(in: folder).reduce(total) { $0 + spool.entryNames(in: "\(folder)/\($1)").count }
        }
    }

    /// Waits until `count` tasks are finished.
    ///
    /// Each check lists the finished folders, on the cores the workload runs on; so the wait between
    /// checks is half the time the rate so far says is left, at least 20 ms and at most a second.
    func waitUntilFinished(_ spool: Spool, count: Int, timeout: Double = 600) async throws {
        let start = BenchClock.microseconds()
        while true {
            let finished = finishedCount(spool)
            if finished >= count { return }
            let elapsed = BenchClock.seconds(since: start)
            guard elapsed < timeout else { throw BenchError("tasks not finished in \(Int(timeout)) s") }
            let left = finished > 0 ? elapsed * Double(count - finished) / Double(finished) : 0
            try await Task.sleep(for: .milliseconds(Int(min(max(left / 2, 0.02), 1) * 1000)))
        }
    }

    /// Space allocated to the files and folders under `path`, in bytes.
    func allocatedBytes(_ path: String) -> Int64 {
        var total: Int64 = 0
        try? Syscall.forEachEntry(in: path) { entry in
            let child = "\(path)/\(entry.name)"
            if entry.kind == .directory { total += allocatedBytes(child) }
            total += (try? Syscall.status(child, in: .currentWorkingDirectory).blocks).map { $0 * 512 } ?? 0
            return true
        }
        return total
    }

    /// The block size of the filesystem holding `path`.
    func fileSystemBlockSize(of path: String) -> Int {
        var status = statvfs()
        guard statvfs(path, &status) == 0 else { return 4096 }
        return Int(status.f_bsize)
    }

    /// Writes a progress line to standard error.
    func report(_ line: String) {
        let bytes = Array("spool-bench: \(line)\n".utf8)
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Removes every spool of the run; on some filesystems deleting many written files takes minutes.
    func removeSpools() {
        report("removing the spools under \(base)")
        Syscall.removeTree(base)
    }
}
