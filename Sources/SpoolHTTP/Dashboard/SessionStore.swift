import SpoolCore
import Synchronization

/// A logged-in browser: who it is, and the token its forms must carry.
struct DashboardSession: Sendable {
    /// The session's id, the value of its cookie: 32 random bytes in hexadecimal.
    let id: String
    /// The user who logged in (`open` when the API is configured open).
    let user: String
    /// The token every form of the session carries, checked on each POST (against cross-site request
    /// forgery): 32 random bytes in hexadecimal.
    let formToken: String
}

/// The dashboard's sessions, in memory: a restart logs everyone out. A session ends after an hour unused,
/// twelve hours after its login, or at logout; at most ``capacity`` are kept, the least recently used
/// making way for a new one.
final class SessionStore: Sendable {
    private struct Entry {
        var session: DashboardSession
        var started: Timestamp
        var lastUsed: Timestamp
        /// A message for the next page the session shows (what an action did).
        var flash: String?
    }

    /// Seconds a session lasts unused.
    static let idleTimeout: Double = 3600
    /// Seconds a session lasts at most.
    static let lifetime: Double = 12 * 3600
    /// The most sessions kept.
    let capacity: Int
    private let clock: any WallClock
    private let entries = Mutex<[String: Entry]>([:])

    init(clock: any WallClock, capacity: Int = 10_000) {
        self.clock = clock
        self.capacity = capacity
    }

    /// Starts a session for `user`.
    func start(user: String) -> DashboardSession {
        let now = clock.now
        let session = DashboardSession(id: Self.randomToken(), user: user, formToken: Self.randomToken())
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { isLive($0.value, at: now) }
                if entries.count >= capacity, let stalest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                    entries[stalest.key] = nil
                }
            }
            entries[session.id] = Entry(session: session, started: now, lastUsed: now)
        }
        return session
    }

    /// The live session whose id is `id`, noted as used now; `nil` when there is none (never was, ended or
    /// expired).
    func session(id: String) -> DashboardSession? {
        let now = clock.now
        return entries.withLock { entries in
            guard var entry = entries[id] else { return nil }
            guard isLive(entry, at: now) else {
                entries[id] = nil
                return nil
            }
            entry.lastUsed = now
            entries[id] = entry
            return entry.session
        }
    }

    /// Ends the session `id`.
    func end(id: String) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// Keeps `message` for the next page session `id` shows.
    func setFlash(_ message: String, for id: String) {
        entries.withLock { $0[id]?.flash = message }
    }

    /// The message kept for session `id`, removed as it is taken.
    func takeFlash(for id: String) -> String? {
        entries.withLock { entries in
            defer { entries[id]?.flash = nil }
            return entries[id]?.flash
        }
    }

    private func isLive(_ entry: Entry, at now: Timestamp) -> Bool {
        entry.lastUsed.adding(seconds: Self.idleTimeout) > now && entry.started.adding(seconds: Self.lifetime) > now
    }

    /// 32 bytes from the system's secure random source, in hexadecimal.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for _ in 0..<32 {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            text += [digits[Int(byte >> 4)], digits[Int(byte & 15)]]
        }
        return String(decoding: text, as: UTF8.self)
    }
}
