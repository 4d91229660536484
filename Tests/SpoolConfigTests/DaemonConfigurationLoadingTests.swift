import Foundation
import SpoolCore
import Testing

@testable import SpoolConfig

@Suite struct DaemonConfigurationLoadingTests {
    /// Runs `body` with a fresh temporary directory, removed afterwards.
    private func withTemporaryDirectory(_ function: String = #function, _ body: (URL) throws -> Void) throws {
        let name = "\(function.prefix { $0 != "(" })-\(UInt64.random(in: 0...UInt64.max))"
        let directory = FileManager.default.temporaryDirectory.appending(path: name, directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    /// The errors that ``DaemonConfiguration/load(path:)`` and ``DaemonConfiguration/loadIfPresent(path:)``
    /// throw for `path`, `nil` for one that succeeds.
    private func loadingErrors(_ path: String) -> [ConfigurationError?] {
        var errors: [ConfigurationError?] = []
        do {
            _ = try DaemonConfiguration.load(path: path)
            errors.append(nil)
        } catch {
            errors.append(error)
        }
        do {
            _ = try DaemonConfiguration.loadIfPresent(path: path)
            errors.append(nil)
        } catch {
            errors.append(error)
        }
        return errors
    }

    @Test func loadsAFile() throws {
        try withTemporaryDirectory { directory throws in
            let file = directory.appending(path: "spool.yaml")
            try Data("max_attempts: 3\n".utf8).write(to: file)
            #expect(try DaemonConfiguration.load(path: file.path).spool.defaultMaxAttempts == 3)
            #expect(try DaemonConfiguration.loadIfPresent(path: file.path).spool.defaultMaxAttempts == 3)
        }
    }

    @Test func aMissingFileIsAnErrorUnlessOptional() throws {
        try withTemporaryDirectory { directory throws in
            let path = directory.appending(path: "spool.yaml").path
            #expect(throws: ConfigurationError(source: path, reason: "no such file")) {
                try DaemonConfiguration.load(path: path)
            }
            #expect(try DaemonConfiguration.loadIfPresent(path: path).spool.defaultMaxAttempts == 25)
        }
    }

    @Test func namesTheFileInErrors() throws {
        try withTemporaryDirectory { directory throws in
            let path = directory.appending(path: "spool.yaml").path
            try Data("workers:\n  concurency: 4\n".utf8).write(to: URL(filePath: path))
            let expected =
                "\(path):2:3: unknown key \"concurency\" in workers (expected concurrency, order, claim_window)"
            #expect(loadingErrors(path).map { $0?.description } == [expected, expected])
        }
    }

    @Test func anUnreadableFileIsAnError() throws {
        try withTemporaryDirectory { directory throws in
            let errors = loadingErrors(directory.path)
            #expect(errors.count == 2)
            for error in errors {
                let description = error?.description ?? "no error"
                #expect(description == "\(directory.path): cannot read the file: EISDIR")
            }
        }
    }

    @Test func refusesTextThatIsNotUTF8() throws {
        try withTemporaryDirectory { directory throws in
            let file = directory.appending(path: "spool.yaml")
            try Data([0x61, 0x3A, 0x20, 0xFF, 0x0A]).write(to: file)
            let expected = ConfigurationError(source: file.path, reason: "not UTF-8 text")
            #expect(loadingErrors(file.path) == [expected, expected])
        }
    }
}
