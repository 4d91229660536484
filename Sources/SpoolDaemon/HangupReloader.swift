import ServiceLifecycle
import UnixSignals

/// Calls `reload` on every SIGHUP until a graceful shutdown begins.
struct HangupReloader: Service {
    let reload: @Sendable () async -> Void

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals { await reload() }
        }
    }
}
