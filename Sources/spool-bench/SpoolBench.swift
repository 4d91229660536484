import ArgumentParser
import SpoolCore
import SpoolSystem
import SpoolWorker
import Synchronization

/// `spool-bench`: measures a spool on this machine and prints a table and JSON lines.
@main
struct SpoolBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool-bench",
        abstract: "Measure enqueue, drain and memory of a spool on this machine (build with -c release)."
    )

    @Option(help: "Workloads, comma-separated: enqueue, e2e, pending, handlers, or all.")
    var workload = "all"

    @Option(help: "Tasks per throughput run.")
    var count = 20_000

    @Option(help: "Pending delayed tasks for the memory run.")
    var pending = 100_000

    @Option(help: "Folder under which temporary spools are made (on the filesystem to measure).")
    var directory = "/var/tmp"

    @Option(help: "Durability levels to measure, comma-separated: full, enqueue, none.")
    var durability = "full,enqueue,none"

    var durabilities: [Durability] {
        durability.split(separator: ",").compactMap { Durability(name: String($0)) }
    }

    func run() async throws {
        let selected = Set(workload.split(separator: ",").map(String.init))
        let all = selected.contains("all")
        var results: [BenchResult] = []
        if all || selected.contains("enqueue") {
            for durability in durabilities {
                results.append(try measureEnqueue(durability: durability))
            }
        }
        if all || selected.contains("e2e") {
            for durability in durabilities where durability != .full {
                results.append(try await measureEndToEnd(durability: durability))
            }
        }
        if all || selected.contains("pending") {
            results.append(contentsOf: try await measurePending())
        }
        if all || selected.contains("handlers") {
            results.append(contentsOf: try await measureHandlers())
        }
        for result in results { print(result.jsonLine) }
    }

    func payload(_ index: Int) -> JSONValue {
        .object([
            JSONMember("order", .integer(index)),
            JSONMember("callback", .string("https://shop.example/hooks/orders/\(index)")),
            JSONMember("note", .string(String(repeating: "x", count: 80))),
        ])
    }

    func freshSpool(_ name: String, durability: Durability) throws -> (Spool, String) {
        let root = "\(directory)/spool-bench-\(name)-\(LocalProcess.id)"
        Syscall.removeTree(root)
        return (try Spool(root: root, configuration: SpoolConfiguration(durability: durability)), root)
    }

    /// W1: one enqueue call per task.
    func measureEnqueue(durability: Durability) throws -> BenchResult {
        let (spool, root) = try freshSpool("enqueue", durability: durability)
        defer { Syscall.removeTree(root) }
        let start = FileTime.now()
        for index in 0..<count { try spool.enqueue(NewTask(type: "noop", payload: payload(index))) }
        let seconds = elapsed(since: start)
        return BenchResult(
            setting: "durability=\(durability)",
            workload: "enqueue",
            perSecond: Double(count) / seconds,
            seconds: seconds
        )
    }

    /// One process enqueues tasks while its engine claims, runs (no-op) and completes them.
    func measureEndToEnd(durability: Durability) async throws -> BenchResult {
        let (spool, root) = try freshSpool("e2e", durability: durability)
        defer { Syscall.removeTree(root) }
        let finished = Atomic<Int>(0)
        var handlers = TaskHandlers()
        handlers.register("noop") { _ in
            finished.add(1, ordering: .relaxed)
            return nil
        }
        let engine = SpoolEngine(
            spool: spool,
            configuration: EngineConfiguration(defaultConcurrency: 8),
            handlers: handlers
        )
        let total = count
        let start = FileTime.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await engine.run() }
            for index in 0..<total { try spool.enqueue(NewTask(type: "noop", payload: payload(index))) }
            while finished.load(ordering: .relaxed) < total || !spool.list(state: .running, limit: 1).isEmpty {
                try await Task.sleep(for: .milliseconds(2))
            }
            group.cancelAll()
        }
        let seconds = elapsed(since: start)
        return BenchResult(
            setting: "durability=\(durability)",
            workload: "e2e",
            perSecond: Double(total) / seconds,
            seconds: seconds
        )
    }

    /// Memory of `spoold` holding delayed tasks due within the next hour, and the time to enqueue them.
    func measurePending() async throws -> [BenchResult] {
        var results: [BenchResult] = []
        for pendingCount in [1000, pending] {
            let (spool, root) = try freshSpool("pending", durability: .enqueue)
            defer { Syscall.removeTree(root) }
            let start = FileTime.now()
            for index in 0..<pendingCount {
                try spool.enqueue(
                    NewTask(type: "noop", payload: payload(index), delay: 3600 + Double(index % 3000) / 10)
                )
            }
            let seconds = elapsed(since: start)
            results.append(
                BenchResult(
                    setting: "pending=\(pendingCount)",
                    workload: "enqueue-delayed",
                    perSecond: Double(pendingCount) / seconds,
                    seconds: seconds
                )
            )
            let daemon = try DaemonProcess(root: root)
            try await Task.sleep(for: .seconds(3))
            let rss = daemon.residentKilobytes()
            daemon.stop()
            results.append(BenchResult(setting: "pending=\(pendingCount)", workload: "spoold-rss", rssKilobytes: rss))
        }
        return results
    }

    func elapsed(since start: FileTime) -> Double {
        Double(FileTime.now().milliseconds - start.milliseconds) / 1000
    }
}

/// One measured figure, printed as a JSON line in the peers' format.
struct BenchResult {
    var setting: String
    var workload: String
    var perSecond: Double?
    var seconds: Double?
    var rssKilobytes: Int?

    var jsonLine: String {
        var members = [
            JSONMember("peer", .string("spool")), JSONMember("setting", .string(setting)),
            JSONMember("workload", .string(workload)),
        ]
        if let perSecond { members.append(JSONMember("per_s", .integer(Int(perSecond.rounded())))) }
        if let seconds { members.append(JSONMember("seconds", .double((seconds * 1000).rounded() / 1000))) }
        if let rssKilobytes { members.append(JSONMember("rss_kb", .integer(rssKilobytes))) }
        return String(decoding: JSONWriter.encode(.object(members)), as: UTF8.self)
    }
}
