/// The first bytes of a stream, up to a limit, and whether more came: how handlers keep what a command or a
/// server wrote without letting it grow past the configured size.
struct BoundedBytes: Sendable {
    /// The bytes kept.
    private(set) var bytes: [UInt8] = []
    /// Whether bytes past the limit were dropped.
    private(set) var truncated = false
    /// How many bytes are kept at most.
    let limit: Int

    /// An empty buffer keeping at most `limit` bytes.
    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Keeps as much of `chunk` as fits and notes whether some was dropped.
    mutating func append(_ chunk: some Collection<UInt8>) {
        let room = limit - bytes.count
        if chunk.count > room { truncated = true }
        bytes.append(contentsOf: chunk.prefix(room))
    }

    /// The bytes as text: invalid UTF-8 is replaced, a character cut by the limit is dropped, and
    /// `…` marks a truncation.
    var text: String {
        guard truncated else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes[..<BoundedBytes.characterBoundary(in: bytes)], as: UTF8.self) + "…"
    }

    /// The end of the last complete UTF-8 sequence in `bytes`: the limit may cut a character in two.
    private static func characterBoundary(in bytes: [UInt8]) -> Int {
        var start = bytes.count
        // Back up over at most three continuation bytes (10xxxxxx) to the lead byte of the last sequence.
        while start > 0, bytes.count - start < 4, bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
        guard start > 0 else { return bytes.count }
        let lead = bytes[start - 1]
        let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return bytes.count - (start - 1) < length ? start - 1 : bytes.count
    }
}
