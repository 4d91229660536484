import SpoolTestSupport

/// What the tests see of other processes, read from `/proc`.
enum ProcessTable {
    /// Whether process `pid` exists and has not exited (a zombie has exited).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? SpoolFiles.read("/proc/\(pid)/stat"),
            let close = stat.lastIndex(of: UInt8(ascii: ")")), close + 2 < stat.count
        else { return false }
        // The state follows the command, which is in parentheses and may hold any character.
        return stat[close + 2] != UInt8(ascii: "Z")
    }

    /// Waits until process `pid` is no longer running; `false` if it still runs after `seconds`.
    static func ends(_ pid: Int32, within seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while isRunning(pid) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// The pids written one per line in the file at `path`.
    static func pids(in path: String) throws -> [Int32] {
        String(decoding: try SpoolFiles.read(path), as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
    }

    /// Waits for the file at `path` to list `count` pids, and returns them.
    static func waitForPids(in path: String, count: Int, within seconds: Double) async throws -> [Int32] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let pids = try? pids(in: path), pids.count >= count { return pids }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TaskFixture.Failure(description: "\(path) did not list \(count) pids within \(seconds) s")
    }
}
