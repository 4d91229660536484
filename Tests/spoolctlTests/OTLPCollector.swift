import Hummingbird
import Logging
import NIOCore
import Synchronization

/// An OpenTelemetry collector's OTLP/HTTP trace receiver on 127.0.0.1, on a port the system picks: it keeps
/// the body of every `POST /v1/traces` as it came, and answers as a collector does (200, an empty
/// `ExportTraceServiceResponse`).
final class OTLPCollector: Sendable {
    /// One export request.
    struct Export: Sendable {
        /// Its `Content-Type`.
        var contentType: String
        /// Its body: an `ExportTraceServiceRequest`, encoded as the content type says.
        var body: [UInt8]
    }

    /// The port it listens on.
    let port: Int
    private let received: Mutex<[Export]>

    private init(port: Int) {
        self.port = port
        self.received = Mutex([])
    }

    /// The exports received so far, oldest first.
    var exports: [Export] { received.withLock { $0 } }

    /// Its base URL, as `tracing.otlp.endpoint` takes it.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts a collector, runs `body` with it, and stops it.
    static func with<R: Sendable>(_ body: @Sendable (OTLPCollector) async throws -> R) async throws -> R {
        let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
        let collector = Mutex<OTLPCollector?>(nil)
        let router = Router()
        router.post("v1/traces") { request, _ in
            var request = request
            let bytes = try await request.collectBody(upTo: 16 << 20)
            let export = Export(contentType: request.headers[.contentType] ?? "", body: Array(buffer: bytes))
            collector.withLock { $0 }?.received.withLock { $0.append(export) }
            return Response(
                status: .ok,
                headers: [.contentType: "application/x-protobuf"],
                body: ResponseBody(byteBuffer: ByteBuffer())
            )
        }
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { portFound.yield(port) }
            },
            logger: Logger(label: "otlp-collector") { _ in SwiftLogNoOpLogHandler() }
        )
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask {
                try await app.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            let started = OTLPCollector(port: port)
            collector.withLock { $0 = started }
            return try await body(started)
        }
    }
}
