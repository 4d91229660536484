import Logging
import SpoolCore
import Testing

@testable import SpoolDaemon

/// Log lines parse as logfmt whatever a task, a handler or an error put in them.
@Suite struct LogfmtLogHandlerTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", #""""#),
        ("two words", #""two words""#),
        ("a=b", #""a=b""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"back\slash"#, #""back\\slash""#),
        ("line\nbreak", #""line\nbreak""#),
        ("nul\u{0}bell\u{7}", #""nul\u0000bell\u0007""#),
        ("café", "café"),
    ])
    func valuesAreQuotedWhenLogfmtNeedsIt(value: String, expected: String) {
        #expect(LogfmtLogHandler.quoted(value) == expected)
    }

    @Test func keysKeepOnlyWhatLogfmtAllows() {
        #expect(LogfmtLogHandler.key("spool.task.id") == "spool.task.id")
        #expect(LogfmtLogHandler.key("a b=c\"") == "a_b_c_")
    }
}
