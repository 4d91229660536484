import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Three hosts share one spool on GlusterFS (``ClusterRun``): one volume mounted three times, a
/// `spoold --mode all` per mount, each in a UTS namespace of its own with its own host name, while producers
/// on each mount enqueue 10,000 tasks (`SPOOL_CLUSTER_TASKS` for fewer). Every task must end in `done/`,
/// each attempt must run exactly once, and the tasks' records must agree with the runs, whether the hosts
/// run in peace or one of them is killed with `SIGKILL` midway and started again.
///
/// Needs root, glusterd (`Tests/cluster/gluster.sh` starts it when it is not running) and FUSE. It runs
/// when `SPOOL_CLUSTER_TESTS=1`, as `make test` sets, and is skipped otherwise; when it runs, a missing
/// glusterd or FUSE fails it.
@Suite(.serialized, .clusterTests)
struct GlusterClusterTests {
    @Test(.timeLimit(.minutes(10)))
    func threeHostsRunEveryTaskOnce() async throws {
        try await run("cluster", killing: false)
    }

    @Test(.timeLimit(.minutes(10)))
    func aHostKilledMidwayLosesNoTaskAndRepeatsNoAttempt() async throws {
        try await run("clusterkill", killing: true)
    }

    /// One run; a run that breaks a promise keeps its folder (a copy of the spool, run logs, daemon logs) and
    /// names it.
    private func run(_ label: String, killing: Bool) async throws {
        var run = try ClusterRun(label)
        // After the mounts: their FUSE processes, which leave the shell that started them, must not become
        // children of this process.
        let reaper = OrphanReaper(commands: ["handler.sh"])
        defer { reaper.stop() }
        var killed = false
        var failures: [String] = []
        var phases: [String] = []
        do {
            try run.startHosts()
            try await run.produce()
            phases.append("produced at \(Int(run.seconds)) s")
            killed = try await run.waitForDone(within: 420, killing: killing)
            phases.append("done at \(Int(run.seconds)) s")
        } catch {
            failures.append("the run stopped: \(error)")
        }
        failures += await run.stopHosts()
        let outcome = run.check(killed: killed)
        phases.append("checked at \(Int(run.seconds)) s")
        failures += outcome.problems
        if killing, !killed { failures.append("no host was killed") }
        if killing, outcome.repeats.isEmpty { failures.append("the kill interrupted no attempt") }
        print(
            "[cluster] \(label): \(ClusterRun.taskCount) tasks, \(outcome.summary), \(phases.joined(separator: ", "))"
        )
        fflush(nil)
        if !failures.isEmpty {
            try? SpoolFiles.write(failures.joined(separator: "\n") + "\n", to: "\(run.folder)/problems.txt")
            Issue.record(
                """
                \(label): \(failures.count) problems; the spool, run logs and daemon logs are kept in \(run.folder):
                \(failures.prefix(40).joined(separator: "\n"))
                """
            )
        }
        try run.tearDown(keep: !failures.isEmpty)
    }
}
