public import Hummingbird
import NIOCore

/// What the server knows about a request besides the request itself: the peer it came from, for the
/// limit on failed logins, and the dashboard session it belongs to.
public struct SpoolRequestContext: RequestContext {
    /// What Hummingbird keeps for every request: its logger, route and parameters.
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, when the connection has one.
    public let peer: String?
    /// The dashboard session of the request, once ``SessionAuthenticator`` found it.
    var session: DashboardSession?

    /// The context of a request that came in on `source`'s connection.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        peer = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies are read by each route with its own limit.
    public var maxUploadSize: Int { 16 * 1024 * 1024 }
}
