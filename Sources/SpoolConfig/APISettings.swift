/// Where the HTTP API listens, from the `api` section of `spool.yaml`.
public struct APISettings: Sendable, Hashable {
    /// The address to bind: a host name or an IP address. Default `127.0.0.1`, this host only.
    public var host: String
    /// The TCP port. Default 8470.
    public var port: Int

    /// Creates settings; every parameter has its documented default.
    public init(host: String = "127.0.0.1", port: Int = 8470) {
        self.host = host
        self.port = port
    }
}
