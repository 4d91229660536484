import Testing

@testable import SpoolConfig

@Suite struct DurationSyntaxTests {
    @Test(arguments: [
        ("90", 90.0), ("1.5", 1.5), ("0", 0), ("500ms", 0.5), ("90s", 90), ("5m", 300), ("1.5h", 5400),
        ("7d", 604_800), ("-5s", -5), ("+2m", 120),
    ])
    func readsNumbersAndUnits(text: String, seconds: Double) {
        #expect(DurationSyntax.seconds(text) == seconds)
    }

    @Test(arguments: [
        "", "s", "ms", "5 s", "5x", "5sm", "1e3", "inf", "nan", ".5s", "5.s", "1.5.2h", "0x10", "5S", "--5",
    ])
    func refusesOtherText(text: String) {
        #expect(DurationSyntax.seconds(text) == nil)
    }

    @Test(arguments: [(604_800.0, "7d"), (5400, "90m"), (3_153_600_000, "36500d"), (61, "61s"), (0.25, "250ms")])
    func formatsInTheLargestWholeUnit(seconds: Double, text: String) {
        #expect(DurationSyntax.format(seconds) == text)
    }
}
