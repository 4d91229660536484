import SpoolCore
import SpoolCron
import Testing

/// Parsing of every accepted form, and a clear error for each kind of mistake.
struct CronSpecTests {
    @Test(arguments: [
        "* * * * *", "*/3 * * * * *", "1 */1 * * * *", "0 0 12 ? * MON-FRI", "0 9 1,15 * ?", "30 2 * * 7",
        "@every 10s", "@every 1h30m", "@every 2d", "@hourly", "@daily", "@midnight", "@weekly", "@monthly",
        "@yearly", "@annually", "0 0 1 jan,jul *", "5/15 * * * *", "0-30/10 8-18 * * sun-sat", "@EVERY 5m",
    ])
    func acceptedForms(text: String) throws {
        #expect(try CronSpec(text).description == text)
    }

    @Test(arguments: [
        ("", "cron spec is empty"),
        ("* * * *", "has 4 fields"),
        ("* * * * * * *", "has 7 fields"),
        ("60 * * * *", "minute field: 60 is out of range 0-59"),
        ("* 24 * * *", "hour field: 24 is out of range 0-23"),
        ("* * 0 * *", "day of month field: 0 is out of range 1-31"),
        ("* * * 13 *", "month field: 13 is out of range 1-12"),
        ("* * * * 8", "day of week field: 8 is out of range 0-7"),
        ("? * * * *", "\"?\" is allowed only in the day fields"),
        ("*/0 * * * *", "step \"0\""),
        ("5-1 * * * *", "runs backwards"),
        ("x * * * *", "\"x\" is not a value"),
        ("+5 * * * *", "\"+5\" is not a value"),
        ("1,,2 * * * *", "minute field: \"\" is not a value"),
        ("*/2/3 * * * *", "more than one step"),
        ("@every", "@every takes one interval"),
        ("@every 0s", "shorter than a second"),
        ("@every 10", "the last number has no unit"),
        ("@every 5w", "\"w\" is not a unit"),
        ("@every 400d", "longer than a year"),
        ("@every 99999999999999999999s", "too long"),
        ("@often", "unknown cron shorthand"),
        ("@daily 5", "takes nothing after it"),
    ])
    func mistakesSayWhatIsWrong(text: String, message: String) {
        #expect {
            _ = try CronSpec(text)
        } throws: { error in
            (error as? CronSpecError)?.message.contains(message) == true
        }
    }

    @Test func unknownTimeZonesAreRefused() throws {
        #expect(throws: CronSpecError.self) { try CronZone("Mars/Olympus") }
        #expect(throws: CronSpecError.self) { try CronZone("CET+5") }
        #expect(try CronZone("America/New_York").description == "America/New_York")
    }
}
