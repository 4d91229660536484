import ServiceLifecycle
import UnixSignals

/// Calls `reload` on every SIGHUP until a graceful shutdown begins.
///
/// SIGHUP is trapped when the reloader is made, before the daemon says it has started: a reload asked for at
/// once waits for the service group rather than ending the process.
struct HangupReloader: Service {
    let signals: UnixSignalsSequence
    let reload: @Sendable () async -> Void

    init(reload: @escaping @Sendable () async -> Void) async {
        self.signals = await UnixSignalsSequence(trapping: .sighup)
        self.reload = reload
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in signals { await reload() }
        }
    }
}
