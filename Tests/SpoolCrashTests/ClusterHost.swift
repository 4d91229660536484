import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// One host of a cluster test: a `spoold --mode all` serving the spool at its own mount of the shared
/// volume, in a UTS namespace of its own whose host name is ``name`` (and with `SPOOL_HOST_ID` set to it),
/// so that the other daemons see a worker of another host, whose leases only expire. Its handler appends
/// to ``runLog``, on local disk. Started again after a kill, it keeps its name. Each daemon's standard error
/// is appended to ``daemonLog`` as it ends.
struct ClusterHost {
    /// The host name and id, `host1`…
    let name: String
    /// Its mount of the volume: the spool's root.
    let spool: String
    /// The handler's run log: one line `<task id> <attempt> <host>` per run.
    let runLog: String
    let daemonLog: String
    private(set) var daemon: KillChild

    init(_ name: String, spool: String, folder: String) throws {
        self.name = name
        self.spool = spool
        runLog = "\(folder)/runs-\(name).log"
        daemonLog = "\(folder)/spoold-\(name).log"
        daemon = try ClusterHost.start(name, spool: spool, runLog: runLog)
    }

    private static func start(_ name: String, spool: String, runLog: String) throws -> KillChild {
        // unshare and sh exec in turn: the pid is spoold's.
        let spoold = "\(ChildProcess.buildFolder)/spoold"
        return try KillChild(
            "/usr/bin/unshare",
            ["--uts", "/bin/sh", "-c", #"hostname "$0" && exec "$@""#, name, spoold]
                + ["--spool", spool, "--mode", "all", "--log-level", "warning"],
            environment: ["SPOOL_HOST_ID": name, "CLUSTER_RUN_LOG": runLog]
        )
    }

    /// Kills the daemon with `SIGKILL` and waits until it is reaped; its handlers run on.
    mutating func kill() async {
        let time = SystemClock().now.milliseconds
        daemon.process.send(SIGKILL)
        await archive(label: "killed at \(time)")
    }

    /// Starts the daemon again after ``kill()``, with the same host name.
    mutating func restart() throws {
        daemon = try ClusterHost.start(name, spool: spool, runLog: runLog)
    }

    /// Asks the daemon to stop, with `SIGTERM`.
    func stop() {
        daemon.process.send(SIGTERM)
    }

    /// Waits for the daemon to end after ``stop()``; a line saying how it ended unless it exited with 0.
    func waitForStop() async -> String? {
        let exit = await archive(label: "terminated")
        return exit == .exited(0) ? nil : "spoold of \(name) (pid \(daemon.pid)) \(exit)"
    }

    @discardableResult
    private func archive(label: String) async -> ChildProcess.Exit {
        let (exit, _, error) = await daemon.finish()
        let entry = Array("== spoold \(label), pid \(daemon.pid): \(exit)\n\(error)".utf8)
        if let log = try? FileDescriptor.open(
            daemonLog,
            .writeOnly,
            options: [.create, .append],
            permissions: [.ownerReadWrite, .groupRead, .otherRead]
        ) {
            _ = try? log.closeAfter { (log) throws(Errno) in try log.writeAll(entry) }
        }
        return exit
    }
}
