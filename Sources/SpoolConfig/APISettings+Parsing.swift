internal import FoundationEssentials
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

extension APIAccess {
    /// Reads `api.auth`: `tokens` (a list), `token_file` (an absolute path to a file of one token per line;
    /// blank lines and lines starting with `#` are skipped) and `open`.
    init(config node: ConfigNode) throws(ConfigProblem) {
        self.init()
        let settings = try node.mapping(allowedKeys: ["tokens", "token_file", "open"])
        if let list = settings["tokens"] {
            for item in try list.sequence() {
                guard let token = Self.token(try item.string()) else { throw item.problem(Self.tokenRule) }
                tokens.append(token)
            }
        }
        if let file = settings["token_file"] {
            let path = try file.string()
            guard path.hasPrefix("/") else { throw file.mismatch("an absolute path") }
            guard let data = try? Data(contentsOf: URL(filePath: path)), data.count <= 1_048_576,
                let text = String(validating: data, as: UTF8.self)
            else { throw file.problem("cannot read \(path) (a UTF-8 file of at most 1 MiB)") }
            for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            {
                let trimmed = String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                guard let token = Self.token(trimmed) else {
                    throw file.problem("\(path), line \(index + 1): \(Self.tokenRule)")
                }
                tokens.append(token)
            }
        }
        if let open = settings["open"] { self.open = try open.choice([("true", true), ("false", false)]) }
    }

    /// What a token must be.
    private static let tokenRule =
        "a token must be \(shortestToken) to 4096 printable ASCII characters without spaces"
        + " (make one with: head -c 32 /dev/urandom | base64)"

    /// `text` when it can be a token: printable ASCII without spaces, at least ``shortestToken`` long.
    private static func token(_ text: String) -> String? {
        let bytes = text.utf8
        return bytes.count >= shortestToken && bytes.count <= 4096 && bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            ? text : nil
    }
}
