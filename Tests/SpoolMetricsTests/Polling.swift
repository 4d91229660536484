import SpoolCore
import SpoolWorker

/// Runs `engine` while `body` runs, then cancels it and waits for it to stop.
func whileRunning(_ engine: SpoolEngine, _ body: () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await engine.run() }
        defer { group.cancelAll() }
        try await body()
    }
}
