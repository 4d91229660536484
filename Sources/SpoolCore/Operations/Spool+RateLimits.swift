import SpoolSystem
import SystemPackage

extension Spool {
    /// Takes one token from the bucket of `queue`, shared by every process on the spool: the file
    /// `ratelimits/<queue>`, holding `<tokens> <time in Unix ms>` as text padded with spaces to 48 bytes,
    /// read and rewritten in place under
    /// an exclusive `flock` (processes on one host see each other's locks). The bucket refills at
    /// `limit.perSecond` up to `limit.burst`; a new or unreadable one starts full.
    ///
    /// - Returns: ``RateDecision/granted``, or when a token will be there.
    /// - Throws: ``SpoolError`` when the file cannot be opened, locked, read or written.
    public func takeClaimToken(queue: String, limit: RateLimit, now: Timestamp) throws(SpoolError) -> RateDecision {
        guard Names.isValidQueueName(queue) else { throw SpoolError(.invalidArgument, "invalid queue name \(queue)") }
        let folder = try folders.handle(SpoolLayout.rateLimits, create: true)
        do {
            let file = try FileDescriptor.open(
                queue,
                in: folder.descriptor,
                .readWrite,
                options: [.create],
                permissions: [.ownerReadWrite, .groupRead, .otherRead]
            )
            return try file.closeAfter { (file) throws(Errno) -> RateDecision in
                try file.lockExclusively()
                let bytes = try file.readAll(limit: 64).bytes
                let words = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
                var tokens = Double(limit.burst)
                if words.count == 2, let stored = Double(words[0]), stored.isFinite, let last = Int64(words[1]) {
                    let elapsed = Double(max(now.milliseconds - last, 0)) / 1000
                    tokens = min(max(stored, 0) + elapsed * limit.perSecond, Double(limit.burst))
                }
                let decision: RateDecision
                // A token less a rounding error of the refill sum is a token.
                if tokens >= 1 - 1e-9 {
                    tokens = max(tokens - 1, 0)
                    decision = .granted
                } else {
                    // Rounded up to the next millisecond: a wait of less than one would be no wait.
                    let wait = max(((1 - tokens) / limit.perSecond * 1000).rounded(.up), 1)
                    decision = .wait(until: now.adding(milliseconds: Int64(min(wait, 86_400_000))))
                }
                // Always the same length, so that writing over the old text leaves nothing of it.
                var text = Array("\(tokens) \(now.milliseconds)".utf8)
                text += [UInt8](repeating: 0x20, count: max(47 - text.count, 0)) + [0x0A]
                try file.writeAtStart(text)
                return decision
            }
        } catch {
            throw SpoolError(error, "take a claim token", "\(SpoolLayout.rateLimits)/\(queue)")
        }
    }
}
