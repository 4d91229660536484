/// A set of task ids of fixed size (a Bloom filter): it may say an id is in it when it is not, never the
/// reverse. Recovery uses it to look for ids in common between large folders without memory that grows
/// with the number of tasks; each id it reports is then checked on disk.
struct IDFilter {
    private var words: [UInt64]
    private let mask: Int

    /// A filter of 2^`bitsLog2` bits (2^24, 2 MiB, keeps false reports under 1 % up to about 1.5 million
    /// ids).
    init(bitsLog2: Int = 24) {
        words = Array(repeating: 0, count: 1 << (bitsLog2 - 6))
        mask = (1 << bitsLog2) - 1
    }

    /// Adds `id`.
    mutating func insert<Bytes: Sequence>(_ id: Bytes) where Bytes.Element == UInt8 {
        for bit in bits(of: id) { words[bit >> 6] |= 1 << UInt64(bit & 63) }
    }

    /// Whether `id` may have been added.
    func mayContain<Bytes: Sequence>(_ id: Bytes) -> Bool where Bytes.Element == UInt8 {
        bits(of: id).allSatisfy { words[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
    }

    /// Three bit positions for `id`, by double hashing of a 64-bit FNV-1a hash.
    private func bits<Bytes: Sequence>(of id: Bytes) -> [Int] where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id {
            hash ^= UInt64(byte)
            hash &*= 0x0100_0000_01b3
        }
        let first = Int(truncatingIfNeeded: hash)
        let step = Int(truncatingIfNeeded: (hash >> 32) | 1)
        return (0..<3).map { (first &+ $0 &* step) & mask }
    }
}
