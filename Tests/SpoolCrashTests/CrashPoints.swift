import SpoolCore
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Runs `runPoint(call, occurrence, crashes)` for every crash point of an operation whose system calls
/// `counts` gives: each call name and each occurrence of it, where the child must crash, plus one past its
/// last occurrence, where it must not. Records an issue for each point whose run reports problems, and
/// prints one summary line for `scenario`.
func runEveryCrashPoint(
    of scenario: String,
    counts: [(call: String, count: Int)],
    _ runPoint: (String, Int, Bool) async throws -> [String]
) async throws {
    try #require(!counts.isEmpty, "the operation makes no system call the hooks see")
    var failedPoints: [String] = []
    for (call, count) in counts {
        for occurrence in 0...count {
            let problems = try await runPoint(call, occurrence, occurrence < count)
            guard !problems.isEmpty else { continue }
            let point = "\(call):\(occurrence)"
            failedPoints.append(point)
            let note = occurrence < count ? "" : " (past the last call: no crash)"
            let message = "\(scenario) --crash-at \(point)\(note):\n  " + problems.joined(separator: "\n  ")
            Issue.record(Comment(rawValue: message))
        }
    }
    let total = counts.reduce(0) { $0 + $1.count }
    print(
        "[crash] \(scenario): \(total) crash points (\(counts.map { "\($0.call)×\($0.count)" }.joined(separator: ", ")))"
            + (failedPoints.isEmpty
                ? ", all recovered" : "; invariant broken at \(failedPoints.joined(separator: ", "))")
    )
}

/// Runs `body` with `SPOOL_RENAME_FLAGS=off` in this process's environment, which the children it starts
/// inherit: every spool opened meanwhile moves as on a filesystem without `renameat2` flags. The crash
/// suites are serialized, and the tests run one at a time in CI; a test of another suite running at once
/// on a developer's machine would only take the same (correct) fallbacks.
func withoutRenameFlags<R>(_ body: () async throws -> R) async rethrows -> R {
    setenv(Spool.renameFlagsVariable, "off", 1)
    defer { unsetenv(Spool.renameFlagsVariable) }
    return try await body()
}
