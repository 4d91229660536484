import ArgumentParser
import HummingbirdBcrypt
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

extension SpoolCtl {
    struct HashPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash-password",
            abstract: "Print the bcrypt hash of a password, for api.auth.users in spool.yaml.",
            discussion: """
                Reads the password from standard input: on a terminal it asks twice without echoing it; \
                otherwise it takes the first line. The hash goes to standard output, as \
                `name: <hash>` under api.auth.users, or `name:<hash>` in the file api.auth.users_file names \
                (htpasswd -B writes the same).
                """
        )

        @Option(help: "The bcrypt cost: each step doubles the time a login takes (4 to 31).")
        var cost = 12

        /// Bcrypt reads at most this many bytes of a password.
        static let longestPassword = 72

        func validate() throws {
            guard (4...31).contains(cost) else { throw ValidationError("--cost must be from 4 to 31") }
        }

        func run() async throws {
            let password: String
            if isatty(STDIN_FILENO) == 1 {
                password = try Self.prompted("Password: ")
                guard try Self.prompted("Again: ") == password else {
                    throw ValidationError("the passwords differ")
                }
            } else {
                var reader = LineReader(.standardInput)
                password = String(decoding: try reader.next() ?? [], as: UTF8.self)
            }
            guard !password.isEmpty else { throw ValidationError("the password is empty") }
            guard password.utf8.count <= Self.longestPassword else {
                throw ValidationError("the password is longer than \(Self.longestPassword) bytes, all bcrypt reads")
            }
            Output.line(Bcrypt.hash(password, cost: UInt8(cost)))
        }

        /// Asks for a line on the terminal with `prompt` on standard error, the typing not shown.
        private static func prompted(_ prompt: String) throws -> String {
            _ = try? FileDescriptor.standardError.writeAll(Array(prompt.utf8))
            var saved = termios()
            let hidden = tcgetattr(STDIN_FILENO, &saved) == 0
            if hidden {
                var quiet = saved
                quiet.c_lflag &= ~tcflag_t(ECHO)
                _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
            }
            defer {
                if hidden { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
                _ = try? FileDescriptor.standardError.writeAll(Array("\n".utf8))
            }
            var reader = LineReader(.standardInput)
            return String(decoding: try reader.next() ?? [], as: UTF8.self)
        }
    }
}
