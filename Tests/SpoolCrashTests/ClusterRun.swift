import SpoolCore
import SpoolSystem
import SpoolTestSupport

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// One run of the cluster tests: a GlusterFS volume mounted three times, each mount a host
/// (``ClusterHost``) with its `spoold --mode all`, sharing one spool whose root is the volume; producers
/// on each mount enqueue ``taskCount`` tasks through the library and by drops (``ClusterProducer``), half
/// of them due seconds later, every seventh failing its first attempt (exit 75, retried after 1 s), a few
/// taking half a second. The run ends when every task is in `done/`; then the daemons stop and
/// ``check(killed:)`` reads what they left.
///
/// ```text
/// <folder>/brick/             the volume's brick, a tmpfs
/// <folder>/spool/             after a failed run, a copy of the spool the brick held
/// <folder>/host1/ … host3/    the mounts, each the spool of one host, with the spool.yaml they share
/// <folder>/handler.sh         the exec handler, on local disk
/// <folder>/runs-hostN.log     one line `<task id> <attempt> <host>` per run of the handler on hostN
/// <folder>/spoold-hostN.log   standard error of each spoold of hostN, appended as it ends
/// ```
struct ClusterRun {
    static let hostNames = ["host1", "host2", "host3"]
    /// The volume's name: a fixed one, so that a run that did not end leaves nothing the next does not remove.
    static let volumeName = "spoolcluster"
    static let queue = "cluster"
    /// How many tasks a run enqueues: `SPOOL_CLUSTER_TASKS`, else 10,000.
    static let taskCount = LocalProcess.environment("SPOOL_CLUSTER_TASKS").flatMap(Int.init) ?? 10_000

    let folder: String
    let volume: GlusterVolume
    private(set) var hosts: [ClusterHost] = []
    /// The id of every task whose enqueue returned (or whose drop was renamed into `incoming/`), with the
    /// type it was given.
    private(set) var acknowledged: [String: String] = [:]
    private let started = SystemClock().now

    /// Sets up the volume, the spool's configuration and the handler; starts no daemon yet.
    init(_ label: String) throws {
        folder = TemporarySpool(label).path
        volume = try GlusterVolume(ClusterRun.volumeName, in: folder, mountNames: ClusterRun.hostNames)
        try SpoolFiles.write(ClusterRun.handlerScript, to: handler)
        chmod(handler, 0o755)
        try SpoolFiles.write(configuration, to: "\(volume.mounts[0])/spool.yaml")
        // The spool is made before the hosts and producers open it. Opening a fresh spool at once, each
        // stamps its format by a rename over the others' stamp, and on GlusterFS a stamp replaced between
        // the open and the read of another fails that read with ESTALE, and that host's start.
        _ = try Spool(root: volume.mounts[0])
    }

    var handler: String { "\(folder)/handler.sh" }

    /// A short lease, so that the leases of a killed host expire within seconds; a rescan twice a second,
    /// since inotify sees only this host's changes (each rescan lists the queue's `active/` folder in full,
    /// which thousands of waiting tasks make costly on GlusterFS: five a second slowed the run down).
    private var configuration: String {
        """
        watch: poll
        poll_interval: 500ms
        janitor_interval: 1s
        lease: 5s
        retry: {table: [1s]}
        shutdown_grace: 10s
        workers: {concurrency: 4}
        queues:
          \(ClusterRun.queue): {handler: run}
        handlers:
          run:
            exec: ["\(handler)"]
            kill_grace: 1s
        """
    }

    /// The exec handler: it names the host from its UTS namespace, and `>>` appends with `O_APPEND`, the
    /// line in one write.
    static let handlerScript = """
        #!/bin/sh
        # The cluster tests' exec handler: one line "<task id> <attempt> <host>" per run, appended to the
        # host's run log; a task of type retry1 fails its first attempt with 75 (retry later), one of type
        # slow takes half a second.
        read host < /proc/sys/kernel/hostname
        echo "$SPOOL_TASK_ID $SPOOL_TASK_ATTEMPT $host" >> "$CLUSTER_RUN_LOG"
        case $SPOOL_TASK_TYPE in
            retry1) if [ "$SPOOL_TASK_ATTEMPT" -le 1 ]; then exit 75; fi ;;
            slow) sleep 0.5 ;;
        esac
        exit 0

        """

    /// Starts the three daemons.
    mutating func startHosts() throws {
        for (index, name) in ClusterRun.hostNames.enumerated() {
            hosts.append(try ClusterHost(name, spool: volume.mounts[index], folder: folder))
        }
    }

    /// Enqueues ``taskCount`` tasks, a third from each mount at once (each producer on a thread of its own).
    mutating func produce() async throws {
        let results = try await withThrowingTaskGroup(of: [String: String].self) { group in
            for index in ClusterRun.hostNames.indices {
                let share = ClusterRun.taskCount / 3 + (index < ClusterRun.taskCount % 3 ? 1 : 0)
                let producer = ClusterProducer(spool: volume.mounts[index], tag: "p\(index + 1)", count: share)
                group.addTask { try await producer.run() }
            }
            var all: [[String: String]] = []
            for try await result in group { all.append(result) }
            return all
        }
        for result in results { acknowledged.merge(result) { first, _ in first } }
    }

    /// The tasks in `done/`, counted through the first mount.
    var doneCount: Int {
        let queueFolder = "\(volume.mounts[0])/\(SpoolLayout.done)/\(ClusterRun.queue)"
        return SpoolFiles.names(queueFolder).reduce(0) { sum, hour in
            sum + SpoolFiles.names("\(queueFolder)/\(hour)").count { $0.hasSuffix(".json") }
        }
    }

    /// The task files in the worker folders of `host`.
    func runningCount(on host: ClusterHost) -> Int {
        let queueFolder = "\(volume.mounts[0])/\(SpoolLayout.running)/\(ClusterRun.queue)"
        return SpoolFiles.names(queueFolder).filter { $0.hasPrefix("\(host.name).") }.reduce(0) { sum, worker in
            sum + SpoolFiles.names("\(queueFolder)/\(worker)").count { $0.hasSuffix(".json") }
        }
    }

    /// Waits until every task is in `done/`, at most `seconds`; with `killing`, kills the second host's daemon
    /// with `SIGKILL` once a third of the tasks are done and it holds a task, and starts it again 8 seconds later.
    ///
    /// - Returns: Whether a daemon was killed.
    mutating func waitForDone(within seconds: Double, killing: Bool) async throws -> Bool {
        let deadline = SystemClock().now.adding(seconds: seconds)
        var killed = false
        while SystemClock().now < deadline {
            let done = doneCount
            if done >= ClusterRun.taskCount { break }
            if killing, !killed, done >= ClusterRun.taskCount / 3 {
                // While it holds a task, so that the kill interrupts an attempt.
                let until = SystemClock().now.adding(seconds: 10)
                while runningCount(on: hosts[1]) == 0, SystemClock().now < until {
                    try await Task.sleep(for: .milliseconds(20))
                }
                await hosts[1].kill()
                killed = true
                // Down for longer than a lease, so that the other hosts return its leases as they expire.
                try await Task.sleep(for: .seconds(8))
                try hosts[1].restart()
            }
            try await Task.sleep(for: .seconds(1))
        }
        return killed
    }

    /// Stops every daemon with `SIGTERM`; one line per daemon that did not exit with status 0.
    func stopHosts() async -> [String] {
        for host in hosts { host.stop() }
        var failures: [String] = []
        for host in hosts {
            if let failure = await host.waitForStop() { failures.append(failure) }
        }
        return failures
    }

    /// Seconds since the run was set up.
    var seconds: Double { Double(SystemClock().now.milliseconds - started.milliseconds) / 1000 }

    /// Takes the volume down and removes the run's folder; with `keep` (a failed run), copies the spool to
    /// `<folder>/spool` first and keeps the folder, for a look at the spool and the logs.
    func tearDown(keep: Bool) throws {
        if keep { try volume.copyFiles(to: "\(folder)/spool") }
        try volume.down()
        if !keep { SpoolFiles.removeTree(folder) }
    }
}
