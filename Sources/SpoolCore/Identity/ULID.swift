import Synchronization

/// Generates ULIDs: 26 characters of Crockford base32 holding a 48-bit millisecond time and 80 random bits,
/// so that ids sort by creation time. Ids made in the same millisecond by one generator increase strictly.
/// An id always holds the time it was made for, even when the clock has gone back since the last one: the
/// time in an id bounds where its task can be (see `Spool.findTask(generatedID:createdAt:)`).
public final class ULIDGenerator: Sendable {
    private struct State {
        var lastMilliseconds: Int64 = -1
        var high: UInt16 = 0
        var low: UInt64 = 0
    }

    private let state = Mutex(State())
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A process-wide generator.
    public static let shared = ULIDGenerator()

    /// Creates a generator.
    public init() {}

    /// A new ULID for time `now`.
    public func next(at now: Timestamp) -> String {
        let (time, high, low) = state.withLock { state -> (Int64, UInt16, UInt64) in
            if now.milliseconds != state.lastMilliseconds {
                var generator = SystemRandomNumberGenerator()
                state.lastMilliseconds = now.milliseconds
                state.high = UInt16.random(in: 0...UInt16.max, using: &generator)
                state.low = UInt64.random(in: 0...UInt64.max, using: &generator)
            } else {
                // Same millisecond: increment the random part to stay monotonic.
                let (low, overflow) = state.low.addingReportingOverflow(1)
                state.low = low
                if overflow { state.high &+= 1 }
            }
            return (state.lastMilliseconds, state.high, state.low)
        }
        var characters = [UInt8](repeating: 0, count: 26)
        var timeBits = UInt64(max(time, 0))
        for position in stride(from: 9, through: 0, by: -1) {
            characters[position] = ULIDGenerator.alphabet[Int(timeBits & 31)]
            timeBits >>= 5
        }
        // 80 random bits: 16 high bits then 64 low bits, 5 bits per character from the most significant.
        for position in 0..<16 {
            let bitOffset = 79 - position * 5 - 4
            let value: UInt64
            if bitOffset >= 64 {
                value = UInt64(high) >> UInt64(bitOffset - 64)
            } else if bitOffset + 5 > 64 {
                value = (UInt64(high) << UInt64(64 - bitOffset)) | (low >> UInt64(bitOffset))
            } else {
                value = low >> UInt64(bitOffset)
            }
            characters[10 + position] = ULIDGenerator.alphabet[Int(value & 31)]
        }
        return String(decoding: characters, as: UTF8.self)
    }
}

extension ULIDGenerator {
    /// The time held by `id` when it has the exact form of an id this generator makes (26 characters of
    /// upper-case Crockford base32 whose first character is at most `7`), else `nil`.
    public static func time(of id: String) -> Timestamp? {
        let bytes = Array(id.utf8)
        guard bytes.count == 26 else { return nil }
        var time: UInt64 = 0
        for (position, byte) in bytes.enumerated() {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            if position == 0, value > 7 { return nil }
            if position < 10 { time = time << 5 | UInt64(value) }
        }
        return Timestamp(milliseconds: Int64(time))
    }
}
