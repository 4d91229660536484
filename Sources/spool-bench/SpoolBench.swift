import ArgumentParser
import SpoolCore
import SpoolSystem
import SpoolWorker
import SystemPackage

/// `spool-bench`: runs the workloads of the peer comparison on fresh spools and prints a table and JSON lines.
@main
struct SpoolBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool-bench",
        abstract: "Measure Spool on this machine with the peers' workloads (build with -c release).",
        discussion: """
            W1 enqueue, W2 drain (one worker process, then two), W3 punctuality of delayed tasks, W4 memory and \
            disk with 1,000,000 pending, W5 exec handler against xargs -P, W6 HTTP handler, SUSTAINED steady \
            enqueue and drain, CRON 10,000 cron entries fired by one scheduler, UNIQUE the cost of a unique key \
            at enqueue, KEY lookup by business key among 1,000,000 tasks, SNAPSHOT a live snapshot of 1,000,000 tasks \
            against rsync, INSPECT spoolctl's stats, list, show and fsck on 1,000,000 tasks, API enqueue over HTTP \
            from 32 clients against spoolctl, TRACING enqueue and drain with tracing off and on (swift-otel, \
            exporting nowhere), DASHBOARD the server time of the dashboard's pages on 1,000,000 tasks, WORKFLOW \
            the cost of a chain step and of a chord of 1,000 members against plain tasks, HOSTS enqueue, drain and \
            arrival across 1 to 3 hosts sharing a spool (each a spoold in poll mode on its own mount, --mounts), \
            POLL the CPU a poll costs with 0 to 1,000,000 tasks pending. `all` runs W1 to W6; the others run when \
            named.
            """
    )

    @Option(
        help: ArgumentHelp(
            "Workloads, comma-separated: W1 to W6, SUSTAINED, CRON, UNIQUE, KEY, SNAPSHOT, INSPECT, API, TRACING,"
                + " DASHBOARD, WORKFLOW, HOSTS, POLL, all."
        )
    )
    var workload = "all"

    @Flag(help: "Smaller counts and shorter runs: a quick look, not figures to compare.")
    var quick = false

    @Option(help: "Folder under which temporary spools are made (on the filesystem to measure).")
    var directory = "/var/tmp"

    @Option(
        help: ArgumentHelp(
            "HOSTS: the folder --directory names, as each host sees it through its own mount, comma-separated"
                + " (three); without it every host uses --directory."
        )
    )
    var mounts: String?

    @Option(help: "Seconds to wait before each workload that creates files, so that the previous one's writes settle.")
    var settle = 0.0

    @Option(help: "Seconds of steady load in SUSTAINED.")
    var sustainedSeconds = 180

    @Option(help: "Also append the JSON lines to this file.")
    var json: String?

    @Option(help: .hidden)
    var serve: String?

    @Option(help: .hidden)
    var serveExpected = 0

    @Option(help: .hidden)
    var serveConcurrency = 8

    @Option(help: .hidden)
    var serveRoles = "working"

    @Option(help: .hidden)
    var produce: String?

    @Option(help: .hidden)
    var produceCount = 0

    @Option(help: .hidden)
    var produceOffset = 0

    static let workloads = [
        "W1", "W2", "W3", "W4", "W5", "W6", "SUSTAINED", "CRON", "UNIQUE", "KEY", "SNAPSHOT", "INSPECT", "API",
        "TRACING", "DASHBOARD", "WORKFLOW", "HOSTS", "POLL",
    ]

    func validate() throws {
        for name in selectedWorkloads where !Self.workloads.contains(name) {
            throw ValidationError("unknown workload \"\(name)\"; known: \(Self.workloads.joined(separator: ", ")), all")
        }
        guard settle >= 0, sustainedSeconds > 0 else {
            throw ValidationError("--settle must be 0 or more, and --sustained-seconds more than 0")
        }
        guard mountList.isEmpty || mountList.count >= 3 else {
            throw ValidationError("--mounts names one folder per host: three")
        }
    }

    private var mountList: [String] {
        (mounts ?? "").split(separator: ",").map(String.init)
    }

    private var selectedWorkloads: [String] {
        workload.split(separator: ",").flatMap { name -> [String] in
            name.lowercased() == "all" ? Array(Self.workloads.prefix(6)) : [name.uppercased()]
        }
    }

    func run() async throws {
        if let serve {
            let roles: EngineConfiguration.Roles =
                switch serveRoles {
                case "all": .all
                case "scheduling": .scheduling
                default: .working
                }
            try await BenchWorker(root: serve, expected: serveExpected, concurrency: serveConcurrency, roles: roles)
                .run()
            return
        }
        if let produce {
            try BenchProducer(root: produce, count: produceCount, offset: produceOffset).run()
            return
        }
        let bench = try BenchRun(directory: directory, quick: quick, settle: settle)
        defer { bench.removeSpools() }
        var results: [BenchResult] = []
        for name in selectedWorkloads {
            let measured: [BenchResult]
            switch name {
            case "W1": measured = try await bench.measureEnqueue()
            case "W2": measured = try await bench.measureDrain()
            case "W3": measured = try await bench.measurePunctuality()
            case "W4": measured = try await bench.measureScale()
            case "W5": measured = try await bench.measureExec()
            case "W6": measured = try await bench.measureHTTP()
            case "CRON": measured = try await bench.measureCron()
            case "UNIQUE": measured = try await bench.measureUniqueKeys()
            case "TRACING": measured = try await bench.measureTracing()
            case "KEY": measured = try await bench.measureKeyLookup()
            case "SNAPSHOT": measured = try await bench.measureSnapshot()
            case "INSPECT": measured = try await bench.measureInspect()
            case "API": measured = try await bench.measureAPI()
            case "DASHBOARD": measured = try await bench.measureDashboard()
            case "WORKFLOW": measured = try await bench.measureWorkflow()
            case "HOSTS": measured = try await bench.measureHosts(mounts: mountList)
            case "POLL": measured = try await bench.measurePoll()
            default: measured = try await bench.measureSustained(seconds: quick ? 20 : sustainedSeconds)
            }
            for result in measured { bench.report("\(result.workload) \(result.setting): \(result.summary)") }
            results += measured
            if let json { try append(measured, to: json) }
        }
        print(table(results))
        for result in results { print(result.jsonLine) }
    }

    private func table(_ results: [BenchResult]) -> String {
        let width = max(results.map { "\($0.workload)  \($0.setting)".count }.max() ?? 0, 20)
        return results.map { result in
            let label = "\(result.workload)  \(result.setting)"
            return label + String(repeating: " ", count: width - label.count + 2) + result.summary
        }.joined(separator: "\n")
    }

    private func append(_ results: [BenchResult], to path: String) throws {
        let file = try FileDescriptor.open(
            path,
            .writeOnly,
            options: [.create, .append],
            permissions: [.ownerReadWrite, .groupRead, .otherRead]
        )
        try file.closeAfter { try $0.writeAll(Array(results.map { $0.jsonLine + "\n" }.joined().utf8)) }
    }
}
