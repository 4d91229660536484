import AsyncHTTPClient
import SpoolHandlers
import Synchronization

/// The daemon's one HTTP client, made when the first `http` handler needs it: a daemon with none starts no
/// event-loop threads.
final class SharedHTTPClient: Sendable {
    private let client = Mutex<HTTPClient?>(nil)

    /// The client, made on the first call.
    func get() -> HTTPClient {
        client.withLock { client in
            if let client { return client }
            let made = HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: HTTPCallbackHandler.clientConfiguration
            )
            client = made
            return made
        }
    }

    /// Shuts the client down, if it was made.
    func shutdown() async {
        let made = client.withLock { $0 }
        try? await made?.shutdown()
    }
}
