extension APIAccess {
    /// Reads `api.auth`: `tokens` (a list), `token_file` (an absolute path to a file of one token per line),
    /// `users` (a mapping of names to bcrypt hashes), `users_file` (an absolute path to a file of
    /// `name:hash` lines, as `htpasswd -B` writes them), `open` and `secure_cookies`. In both files, blank
    /// lines and lines starting with `#` are skipped.
    init(config node: ConfigNode) throws(ConfigProblem) {
        self.init()
        let settings = try node.mapping(
            allowedKeys: ["tokens", "token_file", "users", "users_file", "open", "secure_cookies"]
        )
        if let list = settings["tokens"] {
            for item in try list.sequence() {
                guard let token = Self.token(try item.string()) else { throw item.problem(Self.tokenRule) }
                tokens.append(token)
            }
        }
        if let file = settings["token_file"] {
            let (path, lines) = try file.fileLines()
            for line in lines {
                guard let token = Self.token(line.text) else {
                    throw file.problem("\(path), line \(line.number): \(Self.tokenRule)")
                }
                tokens.append(token)
            }
        }
        if let mapping = settings["users"] {
            for entry in try mapping.mapping(allowedKeys: nil).entries {
                if let reason = Self.userProblem(name: entry.key) {
                    throw ConfigProblem(mark: entry.keyMark, reason: "\(mapping.name): \(reason)")
                }
                let hash = try entry.value.string()
                if let reason = Self.hashProblem(hash) { throw entry.value.problem(reason) }
                users[entry.key] = hash
            }
        }
        if let file = settings["users_file"] {
            let (path, lines) = try file.fileLines()
            for line in lines {
                let parts = line.text.split(separator: ":", maxSplits: 1).map(String.init)
                let reason =
                    parts.count < 2
                    ? "a line must be name:hash, as htpasswd -B writes it"
                    : Self.userProblem(name: parts[0]) ?? Self.hashProblem(parts[1])
                        ?? (users[parts[0]] != nil ? "user \(parts[0]) is given twice" : nil)
                if let reason { throw file.problem("\(path), line \(line.number): \(reason)") }
                users[parts[0]] = parts[1]
            }
        }
        if let open = settings["open"] { self.open = try open.choice([("true", true), ("false", false)]) }
        if let secure = settings["secure_cookies"] {
            secureCookies = try secure.choice(CookieSecurity.allCases.map { ($0.rawValue, $0) })
        }
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

    /// Why `name` cannot name a dashboard user; `nil` when it can: `[A-Za-z0-9_.@-]{1,64}`.
    private static func userProblem(name: String) -> String? {
        let allowed = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "@"),
                UInt8(ascii: "-"):
                true
            default: false
            }
        }
        return allowed && (1...64).contains(name.utf8.count)
            ? nil : "invalid user name \(quoted(name)) (must match [A-Za-z0-9_.@-]{1,64})"
    }

    /// Why `hash` is not a bcrypt hash; `nil` when it is: `$2a$`, `$2b$` or `$2y$`, a cost from 04 to 31,
    /// `$`, then 53 characters of bcrypt's base 64 (the salt and the hash). The value is not repeated in
    /// the reason: it may be a password written by mistake.
    private static func hashProblem(_ hash: String) -> String? {
        let bytes = Array(hash.utf8)
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
            bytes[3] == UInt8(ascii: "$"), digits.contains(bytes[4]), digits.contains(bytes[5]),
            (4...31).contains(Int(bytes[4] - digits.lowerBound) * 10 + Int(bytes[5] - digits.lowerBound)),
            bytes[6] == UInt8(ascii: "$"),
            bytes[7...].allSatisfy({ byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), digits,
                    UInt8(ascii: "."), UInt8(ascii: "/"):
                    true
                default: false
                }
            })
        else {
            return "a password must be given as a bcrypt hash ($2y$ or $2b$, a cost from 04 to 31, then 53"
                + " characters), as htpasswd -B or spoolctl hash-password print it"
        }
        return nil
    }
}
