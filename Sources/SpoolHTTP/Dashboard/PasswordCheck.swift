import HummingbirdBcrypt

/// Checks a dashboard login against the configured users' bcrypt hashes.
struct PasswordCheck: Sendable {
    /// Each user's name with the bcrypt hash of its password.
    let users: [String: String]

    /// A hash of no one's password, checked for an unknown user so that the answer takes as long as for a
    /// known one and does not tell which names exist. Its cost is the configured hashes' highest; none
    /// when there are no users.
    private let decoy: String?

    init(users: [String: String]) {
        self.users = users
        let cost = users.values.compactMap { UInt8($0.dropFirst(4).prefix(2)) }.max()
        decoy = cost.map { Bcrypt.hash("decoy password of no user", cost: min(max($0, 4), 31)) }
    }

    /// Whether `password` is `user`'s. Slow on purpose (bcrypt): call it off the event loops.
    func verify(user: String, password: String) -> Bool {
        guard let hash = users[user] else {
            if let decoy { _ = Bcrypt.verify(password, hash: decoy) }
            return false
        }
        return Bcrypt.verify(password, hash: Self.comparable(hash))
    }

    /// `hash` in the form the bcrypt library checks. `$2y$` (PHP's and htpasswd's name) and `$2b$`
    /// (OpenBSD's) denote the same algorithm; the library knows only the second name.
    private static func comparable(_ hash: String) -> String {
        hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
    }
}
