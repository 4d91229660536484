/// What kill rounds did and what their checks found, summed over rounds for the one-line summary.
struct KillTally: Sendable {
    var rounds = 0
    var cycles = 0
    /// Faults injected, by kind: `spoold --mode <mode>` (SIGKILL), `SIGSTOP spoold --mode <mode>`, and
    /// `spoolctl enqueue` (SIGKILL mid-way).
    var kills: [String: Int] = [:]
    var acknowledged: [OperationLog.Producer: Int] = [:]
    var maybe = 0
    var maybeFound = 0
    var badDrops = 0
    var lost = 0
    var tasks = 0
    var runs = 0
    var repeats: [RepeatReason: Int] = [:]
    var returnedBeforeRun: [RepeatReason: Int] = [:]
    var violations = 0
    var longestDrain = 0.0
    var mostIdleTicks = 0

    /// Adds the figures of one round's check.
    mutating func add(_ report: InvariantReport, log: OperationLog) {
        for operation in log.acknowledged { acknowledged[operation.producer, default: 0] += 1 }
        maybe += report.maybe
        maybeFound += report.maybeFound
        badDrops += report.badDrops
        lost += report.lost
        tasks += report.states.values.reduce(0, +)
        runs += report.runs
        repeats.merge(report.repeats, uniquingKeysWith: +)
        returnedBeforeRun.merge(report.returnedBeforeRun, uniquingKeysWith: +)
        violations += report.violations.count
    }

    /// Adds another tally.
    mutating func add(_ other: KillTally) {
        rounds += other.rounds
        cycles += other.cycles
        kills.merge(other.kills, uniquingKeysWith: +)
        acknowledged.merge(other.acknowledged, uniquingKeysWith: +)
        maybe += other.maybe
        maybeFound += other.maybeFound
        badDrops += other.badDrops
        lost += other.lost
        tasks += other.tasks
        runs += other.runs
        repeats.merge(other.repeats, uniquingKeysWith: +)
        returnedBeforeRun.merge(other.returnedBeforeRun, uniquingKeysWith: +)
        violations += other.violations
        longestDrain = max(longestDrain, other.longestDrain)
        mostIdleTicks = max(mostIdleTicks, other.mostIdleTicks)
    }

    /// The one-line summary.
    func summary(seconds: Double) -> String {
        let faults = kills.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let ack = OperationLog.Producer.allCases.map { "\($0.rawValue)=\(acknowledged[$0] ?? 0)" }
        func reasons(_ counts: [RepeatReason: Int]) -> String {
            RepeatReason.allCases.map { "\($0.rawValue)=\(counts[$0] ?? 0)" }.joined(separator: " ")
        }
        return "cycles=\(cycles) rounds=\(rounds) faults: \(faults) (total \(kills.values.reduce(0, +)))"
            + " | acknowledged=\(acknowledged.values.reduce(0, +)) (\(ack.joined(separator: " ")))"
            + " maybe=\(maybe) (found \(maybeFound)) bad_drops=\(badDrops) lost=\(lost) tasks=\(tasks)"
            + " | runs=\(runs) repeats=\(repeats.values.reduce(0, +)) (\(reasons(repeats)))"
            + " returned_before_run=\(returnedBeforeRun.values.reduce(0, +)) (\(reasons(returnedBeforeRun)))"
            + " | violations=\(violations) longest_drain=\(Int(longestDrain * 1000))ms"
            + " most_idle_cpu=\(mostIdleTicks)ticks/s | \(Int(seconds))s"
    }
}

/// A small seeded generator (SplitMix64), so that a round's choices can be told by its seed.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func double(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &self) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
}
