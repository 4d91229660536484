import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A group of 1,000 members worked through by four real `spoold --mode worker` processes (``GroupKillRun``):
/// its callback must fire exactly once, with every member's result, and every member must have its result
/// marker, whether the workers run in peace or are killed with `SIGKILL` at random moments and restarted.
///
/// - Quick profile (the default): one run without kills, three runs with kills.
/// - Soak profile: `SPOOL_GROUP_SOAK_RUNS=50 swift test --skip-build --filter GroupKillTests` makes as many
///   runs with kills, one line each, then a one-line summary: runs, kills, callbacks fired, lost (must be
///   0), duplicates (must be 0).
@Suite(.serialized) struct GroupKillTests {
    /// The soak profile's number of runs with kills, from `SPOOL_GROUP_SOAK_RUNS`; `nil` for the quick one.
    static let soakRuns = LocalProcess.environment("SPOOL_GROUP_SOAK_RUNS").flatMap(Int.init)
    static let quickRuns = 3

    @Test(.timeLimit(.minutes(5)))
    func fourWorkersFireTheCallbackOnce() async throws {
        let reaper = OrphanReaper(commands: KillSpool.handlerCommands)
        defer { reaper.stop() }
        var tally = GroupKillTally()
        try await run("group", index: 0, killing: false, into: &tally)
        print("[group] " + tally.summary)
    }

    @Test(.timeLimit(.minutes(GroupKillTests.soakRuns.map { 5 + $0 / 2 } ?? 6)))
    func killedWorkersFireTheCallbackOnce() async throws {
        let reaper = OrphanReaper(commands: KillSpool.handlerCommands)
        defer { reaper.stop() }
        var tally = GroupKillTally()
        for index in 0..<(GroupKillTests.soakRuns ?? GroupKillTests.quickRuns) {
            try await run("gkill\(index)", index: index, killing: true, into: &tally)
        }
        print("[group] " + tally.summary)
        #expect(tally.lost == 0)
        #expect(tally.duplicates == 0)
        #expect(tally.kills > 0)
    }

    /// One run; a run that breaks a promise keeps its folder (spool, run log, daemon logs) and names it.
    private func run(_ label: String, index: Int, killing: Bool, into tally: inout GroupKillTally) async throws {
        let seed = UInt64(SystemClock().now.milliseconds) &* 31 &+ UInt64(index)
        var run = try GroupKillRun(label, seed: seed)
        do {
            try await run.run(killing: killing)
        } catch {
            await run.abandon()
            throw error
        }
        let (report, group) = await run.finish()
        var figures = GroupKillTally()
        figures.add(report, group, kills: run.kills, seconds: run.seconds)
        tally.add(figures)
        let failed = !report.violations.isEmpty || !group.problems.isEmpty
        print("[group] run \(index) (seed \(seed)): \(failed ? "FAILED" : "ok"), \(figures.summary)")
        fflush(nil)
        if !failed {
            run.spool.remove()
        } else {
            let listing = ([report.listing] + group.problems).joined(separator: "\n")
            try? SpoolFiles.write(listing + "\n", to: "\(run.spool.folder)/violations.txt")
            Issue.record(
                """
                group run \(index) (seed \(seed)) broke promises; its spool, run log and daemon logs are kept in \
                \(run.spool.folder):
                \(listing)
                """
            )
        }
    }
}

/// What group kill runs did, summed for the one-line summary.
struct GroupKillTally: Sendable {
    var runs = 0
    var kills = 0
    var members = 0
    /// Tasks found in the callbacks' queue: one per run if each callback fired once.
    var callbacks = 0
    var callbackRuns = 0
    var callbackSuccesses = 0
    /// Members with their `done` result marker.
    var markers = 0
    /// Acknowledged tasks (members and callbacks) found nowhere.
    var lost = 0
    /// Task files beyond one per acknowledged task.
    var duplicates = 0
    /// Handler runs, and attempts ended by a kill or an expired lease after their handler had started.
    var handlerRuns = 0
    var repeats: [RepeatReason: Int] = [:]
    var violations = 0
    var seconds = 0.0

    mutating func add(_ report: InvariantReport, _ group: GroupOutcome, kills: Int, seconds: Double) {
        runs += 1
        self.kills += kills
        members += GroupKillRun.memberCount
        callbacks += group.callbacks
        callbackRuns += group.callbackRuns
        callbackSuccesses += group.callbackSuccesses
        markers += group.markers
        lost += report.lost
        duplicates += max(0, report.states.values.reduce(0, +) - (report.acknowledged - report.lost))
        handlerRuns += report.runs
        repeats.merge(report.repeats, uniquingKeysWith: +)
        violations += report.violations.count + group.problems.count
        self.seconds += seconds
    }

    /// Adds the figures of another tally (of one run).
    mutating func add(_ other: GroupKillTally) {
        runs += other.runs
        kills += other.kills
        members += other.members
        callbacks += other.callbacks
        callbackRuns += other.callbackRuns
        callbackSuccesses += other.callbackSuccesses
        markers += other.markers
        lost += other.lost
        duplicates += other.duplicates
        handlerRuns += other.handlerRuns
        repeats.merge(other.repeats, uniquingKeysWith: +)
        violations += other.violations
        seconds += other.seconds
    }

    var summary: String {
        "runs=\(runs) kills=\(kills) members=\(members) result_markers=\(markers) callbacks_fired=\(callbacks)"
            + " (handler runs \(callbackRuns), to success \(callbackSuccesses)) lost=\(lost) duplicates=\(duplicates)"
            + " | handler_runs=\(handlerRuns) repeats=\(repeats.values.reduce(0, +)) ("
            + RepeatReason.allCases.map { "\($0.rawValue)=\(repeats[$0] ?? 0)" }.joined(separator: " ")
            + ") violations=\(violations) | \(Int(seconds))s"
    }
}
