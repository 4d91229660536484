import Logging
import OTel
import ServiceLifecycle
import SpoolCore
import Tracing

extension BenchRun {
    /// TRACING: what tracing costs a task, in this process. Alternating rounds of 1,000 tasks (so that the
    /// machine's drift touches each setting alike), one enqueue call per task at durability `none` (so that
    /// the flushes, which tracing does not change, do not hide its cost), then
    /// each round drained by claim and complete: with the no-op tracer (tracing off, as without a `tracing`
    /// section), and with swift-otel's tracer as `spoold` makes it, exporting to nowhere (every span made,
    /// sampled, propagated and batched; the network left out). Each setting on its own spool.
    func measureTracing() async throws -> [BenchResult] {
        try await settleDown()
        var configuration = OTel.Configuration.default
        configuration.serviceName = "spool-bench"
        configuration.diagnosticLogger = .custom(Logger(label: "otel") { _ in SwiftLogNoOpLogHandler() })
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .none
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        let exporting = Task { try await backend.service.run() }
        defer { exporting.cancel() }
        let settings: [(name: String, tracer: any Tracer)] = [("off", NoOpTracer()), ("otel", backend.factory)]
        var spools: [Spool] = []
        for setting in settings {
            spools.append(try freshSpool("tracing-\(setting.name)", durability: .none, tracer: setting.tracer))
        }
        let rounds = quick ? 3 : 10
        let perRound = 1_000
        var enqueueSeconds = Array(repeating: 0.0, count: settings.count)
        var drainSeconds = Array(repeating: 0.0, count: settings.count)
        for round in 0..<rounds {
            for index in settings.indices {
                var start = BenchClock.microseconds()
                for n in 0..<perRound {
                    try spools[index].enqueue(NewTask(type: "noop", payload: payload(round * perRound + n)))
                }
                enqueueSeconds[index] += BenchClock.seconds(since: start)
                start = BenchClock.microseconds()
                var drained = 0
                while drained < perRound {
                    let names = try spools[index].oldestActive(queue: "default", limit: 100).names
                    for name in names {
                        guard let task = try spools[index].claim(name, queue: "default") else { continue }
                        try spools[index].complete(task)
                        drained += 1
                    }
                }
                drainSeconds[index] += BenchClock.seconds(since: start)
            }
        }
        let count = rounds * perRound
        return settings.indices.flatMap { index in
            [("enqueue", enqueueSeconds), ("drain", drainSeconds)].map { step, seconds in
                let rate = Double(count) / seconds[index]
                return BenchResult(
                    workload: "TRACING",
                    setting: "\(step) \(settings[index].name)",
                    summary: Figure.rate(rate)
                        + (index == 0 ? "" : ", \(Int((seconds[index] / seconds[0] * 100).rounded()))% of off's time"),
                    [
                        ("n", .integer(count)), ("elapsed_s", .rounded(seconds[index], 3)), ("per_s", .rounded(rate)),
                        ("time_vs_off", .rounded(seconds[index] / seconds[0], 3)),
                        (
                            "note",
                            .string(
                                "one call per task, durability none, rounds of 1,000 alternating settings; drain: claim and complete"
                            )
                        ),
                    ]
                )
            }
        }
    }
}
