import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Receives one callback's response: notes when the request went out (the connection was made), keeps the
/// final response's head and the start of its body, and stops the transfer once the body passes the limit.
///
/// AsyncHTTPClient calls it on an event loop; its state is behind a lock for the handler to read.
final class ResponseCollector: HTTPClientResponseDelegate {
    typealias Response = CallbackResponse

    /// Fails the transfer once the body passes the limit: what was kept is the response.
    struct LimitReached: Error {}

    private struct State {
        var connected = false
        var head: HTTPResponseHead?
        var body: BoundedBytes
    }

    private let state: Mutex<State>

    /// A collector keeping at most `limit` bytes of the body.
    init(limit: Int) {
        state = Mutex(State(body: BoundedBytes(limit: limit)))
    }

    /// Whether the request head was written: a connection was made.
    var isConnected: Bool { state.withLock { $0.connected } }

    /// The response received so far, if its head came.
    var response: CallbackResponse? {
        state.withLock { state in
            guard let head = state.head else { return nil }
            return CallbackResponse(
                status: Int(head.status.code),
                reason: head.status.reasonPhrase,
                retryAfter: head.headers.first(name: "Retry-After"),
                location: head.headers.first(name: "Location"),
                body: state.body
            )
        }
    }

    func didSendRequestHead(task: HTTPClient.Task<CallbackResponse>, _ head: HTTPRequestHead) {
        state.withLock { $0.connected = true }
    }

    func didReceiveHead(task: HTTPClient.Task<CallbackResponse>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<CallbackResponse>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let truncated = state.withLock { state in
            state.body.append(buffer.readableBytesView)
            return state.body.truncated
        }
        // A failed future ends the transfer and closes the connection: nothing more is read.
        return truncated ? task.eventLoop.makeFailedFuture(LimitReached()) : task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<CallbackResponse>) throws -> CallbackResponse {
        guard let response else { throw HTTPClientError.remoteConnectionClosed }
        return response
    }
}
