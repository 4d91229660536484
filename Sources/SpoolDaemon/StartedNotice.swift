import Logging
import ServiceLifecycle

/// Logs that the daemon has started, from inside its service group: by then SIGTERM and SIGINT are trapped for
/// a graceful shutdown, so whoever waits for the line may stop the daemon at once and see it exit cleanly.
struct StartedNotice: Service {
    let logger: Logger
    let metadata: Logger.Metadata

    func run() async {
        logger.info("spoold started", metadata: metadata)
    }
}
