import SpoolTestSupport
import Testing

/// `spoolctl hash-password`: a bcrypt hash of the password on standard input, for `api.auth.users`.
@Suite struct HashPasswordTests {
    @Test func printsASaltedBcryptHashOfTheFirstLine() throws {
        let first = try ChildProcess.run(
            "spoolctl",
            ["hash-password", "--cost", "4"],
            input: "correct horse\nignored\n"
        )
        let second = try ChildProcess.run("spoolctl", ["hash-password", "--cost", "4"], input: "correct horse")
        #expect(first.status == 0 && second.status == 0, "\(first.error)")
        for hash in [first.output, second.output] {
            #expect(hash.hasPrefix("$2b$04$") && hash.hasSuffix("\n") && hash.utf8.count == 61, "\(hash)")
        }
        #expect(first.output != second.output, "each hash has its own salt")
    }

    @Test func refusesAnEmptyOrOverlongPasswordAndABadCost() throws {
        for (input, arguments, message) in [
            ("", [String](), "the password is empty"),
            ("\n", [], "the password is empty"),
            (String(repeating: "x", count: 73), [], "longer than 72 bytes"),
            ("pw", ["--cost", "3"], "--cost must be from 4 to 31"),
        ] {
            let run = try ChildProcess.run("spoolctl", ["hash-password"] + arguments, input: input)
            #expect(run.status == 64 && run.error.contains(message), "\(run.error)")
            #expect(run.output.isEmpty)
        }
    }
}
