import SpoolCore
import SpoolSystem
import SpoolTestSupport

extension SpoolInvariants {
    /// The tasks still pending (in `scheduled/`, `active/` or `running/`) and the drops waiting in
    /// `incoming/`.
    func pending() -> [String] {
        guard let spool = try? Spool(root: root, access: .readOnly) else { return ["\(root) is not a spool"] }
        var tasks: [TaskLocation] = []
        for state: TaskState in [.scheduled, .active, .running] { tasks += spool.list(state: state, limit: Int.max) }
        let drops = SpoolFiles.names("\(root)/\(SpoolLayout.incoming)").filter { !$0.hasPrefix(".") }
        return tasks.map(\.path) + drops.map { "\(SpoolLayout.incoming)/\($0)" }
    }

    /// I9, first half: waits until nothing is pending, at most `seconds`.
    ///
    /// - Returns: How long it took, and a violation naming what is still pending if it did not drain.
    func waitForDrain(within seconds: Double) async -> (seconds: Double, violation: InvariantViolation?) {
        let start = SystemClock().now
        var left = pending()
        while !left.isEmpty && Double(SystemClock().now.milliseconds - start.milliseconds) < seconds * 1000 {
            try? await Task.sleep(for: .milliseconds(50))
            left = pending()
        }
        let took = Double(SystemClock().now.milliseconds - start.milliseconds) / 1000
        guard !left.isEmpty else { return (took, nil) }
        let shown = left.prefix(5).joined(separator: ", ") + (left.count > 5 ? " and \(left.count - 5) more" : "")
        return (
            took,
            InvariantViolation(
                invariant: .i9,
                subject: "drain",
                evidence: "\(left.count) still pending \(Int(seconds)) s after the faults stopped: \(shown)"
            )
        )
    }

    /// I9, second half: the CPU time (user and system, in clock ticks of 10 ms) each of `pids` uses over one
    /// idle second; more than `maximumTicks` is a violation (a busy loop uses about 100).
    static func checkIdle(pids: [Int32], maximumTicks: Int = 10) async -> (
        ticks: [Int32: Int], violations: [InvariantViolation]
    ) {
        let before = Dictionary(uniqueKeysWithValues: pids.map { ($0, cpuTicks(of: $0)) })
        try? await Task.sleep(for: .seconds(1))
        var ticks: [Int32: Int] = [:]
        var violations: [InvariantViolation] = []
        for pid in pids {
            guard let start = before[pid] ?? nil, let end = cpuTicks(of: pid) else {
                violations.append(
                    InvariantViolation(invariant: .i9, subject: "pid \(pid)", evidence: "is gone while idle")
                )
                continue
            }
            ticks[pid] = end - start
            if end - start > maximumTicks {
                violations.append(
                    InvariantViolation(
                        invariant: .i9,
                        subject: "pid \(pid)",
                        evidence: "used \(end - start) ticks of CPU over an idle second (at most \(maximumTicks))"
                    )
                )
            }
        }
        return (ticks, violations)
    }

    /// User plus system time of `pid` in clock ticks, fields 14 and 15 of `/proc/<pid>/stat`.
    static func cpuTicks(of pid: Int32) -> Int? {
        guard let bytes = try? SpoolFiles.read("/proc/\(pid)/stat"), let close = bytes.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        // Fields after the command's closing parenthesis start at field 3.
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " ")).map {
            String(decoding: $0, as: UTF8.self)
        }
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}
