import SpoolCore

/// Polls `condition` every 5 ms until it holds or `seconds` pass; the unavoidable wait of tests on real
/// time (a process or a watcher of the kernel's). Returns whether it held.
public func eventually(within seconds: Double = 20, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = SystemClock().now.adding(seconds: seconds)
    while SystemClock().now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try condition()
}
