import Testing

@testable import SpoolHandlers

@Suite("BoundedBytes")
struct BoundedBytesTests {
    @Test func keepsTheFirstBytesAndMarksTheCut() {
        var kept = BoundedBytes(limit: 5)
        kept.append(Array("abc".utf8))
        #expect(!kept.truncated)
        kept.append(Array("defgh".utf8))
        #expect(kept.bytes == Array("abcde".utf8))
        #expect(kept.truncated)
        #expect(kept.text == "abcde…")
    }

    @Test func exactlyTheLimitIsNotATruncation() {
        var kept = BoundedBytes(limit: 3)
        kept.append(Array("abc".utf8))
        kept.append([])
        #expect(!kept.truncated)
        #expect(kept.text == "abc")
    }

    @Test func aCharacterCutInTwoIsDropped() {
        var kept = BoundedBytes(limit: 4)
        kept.append(Array("ab€cd".utf8))  // € is 3 bytes: the limit falls inside it.
        #expect(kept.text == "ab…")
    }
}
