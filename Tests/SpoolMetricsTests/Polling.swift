import SpoolCore
import SpoolWorker

/// Polls `condition` until it holds or `seconds` pass; the unavoidable wait of tests on real time.
func eventually(within seconds: Double = 20, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = SystemClock().now.adding(seconds: seconds)
    while SystemClock().now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try condition()
}

/// Runs `engine` while `body` runs, then cancels it and waits for it to stop.
func whileRunning(_ engine: SpoolEngine, _ body: () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await engine.run() }
        defer { group.cancelAll() }
        try await body()
    }
}
