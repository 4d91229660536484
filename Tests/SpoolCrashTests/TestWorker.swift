import SpoolSystem
import SpoolTestSupport

/// A failure to run the test worker.
struct SpawnedProcessError: Error, CustomStringConvertible {
    var description: String
}

/// The `spool-test-worker` executable that the build put next to the test bundle.
enum TestWorkerLocator {
    static func resolve() throws -> String {
        let path = "\(ChildProcess.buildFolder)/spool-test-worker"
        guard (try? Syscall.status(path, in: .currentWorkingDirectory))?.kind == .regular else {
            throw SpawnedProcessError(description: "\(path) not found; build it with `swift build --build-tests`")
        }
        return path
    }
}

/// Runs the test worker with `arguments` and waits for it.
///
/// - Returns: How it ended, its pid and its output (standard output, then standard error).
func runTestWorker(_ arguments: [String]) async throws -> (exit: ChildProcess.Exit, pid: Int32, output: String) {
    let child = try ChildProcess(try TestWorkerLocator.resolve(), arguments)
    let exit = await child.waitForExit()
    return (exit, child.pid, child.output + child.errorOutput)
}

/// Waits until process `pid` is stopped (state `T` in `/proc/<pid>/stat`), as `--stop-at` leaves it; `false`
/// if it is not within 10 s.
func waitUntilStopped(_ pid: Int32) async -> Bool {
    await KillTests.eventually(within: 10) {
        guard let stat = try? SpoolFiles.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")"))
        else { return false }
        return stat[(close + 1)...].split(separator: UInt8(ascii: " ")).first == [UInt8(ascii: "T")]
    }
}
