import Testing

@testable import SpoolHandlers

@Suite("PercentEncoding")
struct PercentEncodingTests {
    @Test func onlyUnreservedBytesStay() {
        #expect(PercentEncoding.encode("aZ09-._~") == "aZ09-._~")
        #expect(PercentEncoding.encode("a b/c?d&e=f%") == "a%20b%2Fc%3Fd%26e%3Df%25")
        #expect(PercentEncoding.encode("é") == "%C3%A9")
    }

    @Test(arguments: [
        ("http://h/p", "http://h/p?a=1"),
        ("http://h/p?", "http://h/p?a=1"),
        ("http://h/p?x=2", "http://h/p?x=2&a=1"),
        ("http://h/p?x=2#frag", "http://h/p?x=2&a=1#frag"),
    ])
    func queryIsAppendedBeforeTheFragment(url: String, expected: String) {
        #expect(CallbackRequest.appendingQuery("a=1", to: url) == expected)
    }
}
