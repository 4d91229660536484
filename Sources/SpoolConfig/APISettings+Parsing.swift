import SpoolCore

extension APISettings {
    /// Reads the `api` section; an empty section keeps the defaults.
    init(config node: ConfigNode) throws(ConfigProblem) {
        self.init()
        let settings = try node.mapping(allowedKeys: ["listen", "auth", "delay_queue"])
        if let listen = settings["listen"] { (host, port) = try Self.address(listen) }
        if let queue = settings["delay_queue"] {
            delayQueue = try queue.string()
            guard Names.isValidQueueName(delayQueue) else { throw queue.mismatch("a queue name: [a-z0-9_-]{1,64}") }
        }
        if let auth = settings["auth"] { access = try APIAccess(config: auth) }
    }

    /// `host:port`, `[ipv6]:port`, or a port alone (keeping the default host).
    private static func address(_ node: ConfigNode) throws(ConfigProblem) -> (host: String, port: Int) {
        let expectation = "an address host:port such as 127.0.0.1:8470, or a port"
        guard let text = node.text else { throw node.mismatch(expectation) }
        if let port = Int(text) { return (APISettings().host, try checked(port, node)) }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw node.mismatch(expectation)
        }
        var host = text[..<colon]
        if host.first == "[", host.last == "]" {
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            throw node.mismatch("an address host:port, with an IPv6 host in brackets such as [::1]:8470")
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { throw node.mismatch(expectation) }
        return (String(host), try checked(port, node))
    }

    /// `port` when it is a TCP port.
    private static func checked(_ port: Int, _ node: ConfigNode) throws(ConfigProblem) -> Int {
        guard (1...65535).contains(port) else { throw node.problem("port must be from 1 to 65535, not \(port)") }
        return port
    }
}
