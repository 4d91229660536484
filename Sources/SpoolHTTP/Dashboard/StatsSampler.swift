import ServiceLifecycle
import SpoolCore

/// Counts the spool every ``interval`` seconds into a ``StatsHistory``, so that the dashboard's overview
/// never waits for a count (`Spool.stats()` lists every folder: about 0.3 s on a million tasks). It runs
/// beside the HTTP server, off the event loops, until the server stops. A count that takes longer than a
/// tenth of the interval spaces the next one out to ten times its own length, so that counting never
/// takes more than a tenth of the machine's time.
struct StatsSampler: Service {
    /// Seconds between two samples, at the least.
    static let interval: Double = 5

    let spool: Spool
    let history: StatsHistory

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let stats = try await offLoop { spool.stats() }
                history.record(stats)
                let took = Double(spool.clock.now.milliseconds - stats.now.milliseconds) / 1000
                try await spool.clock.sleep(until: stats.now.adding(seconds: max(Self.interval, took * 10)))
            }
        }
    }
}
