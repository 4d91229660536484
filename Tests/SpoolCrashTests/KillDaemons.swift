import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// How the daemons of a kill round share the spool.
enum DaemonLayout: String, Sendable, CaseIterable {
    /// One `spoold --mode all`.
    case all
    /// One `spoold --mode scheduler` and two `spoold --mode worker`.
    case split

    /// The `--mode` of each process.
    var modes: [String] {
        switch self {
        case .all: ["all"]
        case .split: ["scheduler", "worker", "worker"]
        }
    }
}

/// The `spoold` processes of a kill round, each started again after it is killed. Their standard error is
/// appended to the round's `daemons.log` as each one ends.
struct KillDaemons {
    let spool: KillSpool
    let modes: [String]
    private(set) var processes: [KillChild]
    /// Which processes are stopped (`SIGSTOP`).
    private(set) var stopped: Set<Int> = []

    /// Starts one `spoold` per mode of `layout`.
    init(_ spool: KillSpool, layout: DaemonLayout) throws {
        try self.init(spool, modes: layout.modes)
    }

    /// Starts one `spoold` per `--mode` in `modes`.
    init(_ spool: KillSpool, modes: [String]) throws {
        self.spool = spool
        self.modes = modes
        processes = try modes.map { try KillDaemons.start(spool, mode: $0) }
    }

    private static func start(_ spool: KillSpool, mode: String) throws -> KillChild {
        try KillChild("spoold", ["--spool", spool.root, "--mode", mode, "--log-level", "warning"])
    }

    /// The pids of the running daemons.
    var pids: [Int32] { processes.map(\.pid) }

    /// Kills the daemon at `index` with `SIGKILL` and waits until it is reaped.
    mutating func kill(_ index: Int) async {
        let child = processes[index]
        let time = SystemClock().now.milliseconds
        child.process.send(SIGKILL)
        if stopped.remove(index) != nil { child.process.send(SIGCONT) }
        await archive(child, label: "\(modes[index]) killed at \(time)")
    }

    /// Starts the daemon at `index` again after ``kill(_:)``.
    mutating func restart(_ index: Int) throws {
        processes[index] = try KillDaemons.start(spool, mode: modes[index])
    }

    /// Stops the daemon at `index` with `SIGSTOP`: it neither renews its leases nor reaps its commands.
    mutating func pause(_ index: Int) {
        processes[index].process.send(SIGSTOP)
        stopped.insert(index)
    }

    /// Lets the stopped daemon at `index` go on (`SIGCONT`).
    mutating func resume(_ index: Int) {
        processes[index].process.send(SIGCONT)
        stopped.remove(index)
    }

    /// Kills every daemon with `SIGKILL` and waits for them: the end of a test that failed half-way.
    mutating func killAll() async {
        for index in processes.indices { await kill(index) }
    }

    /// Stops every daemon with `SIGTERM` and waits for them.
    ///
    /// - Returns: One line per daemon that did not exit with status 0.
    mutating func terminateAll() async -> [String] {
        for index in stopped { processes[index].process.send(SIGCONT) }
        stopped.removeAll()
        for child in processes { child.process.send(SIGTERM) }
        var failures: [String] = []
        for (index, child) in processes.enumerated() {
            let exit = await archive(child, label: "\(modes[index]) terminated")
            if exit != .exited(0) { failures.append("spoold --mode \(modes[index]) (pid \(child.pid)) \(exit)") }
        }
        return failures
    }

    /// Waits for `child` to end and appends its standard error to the round's daemon log.
    @discardableResult
    private func archive(_ child: KillChild, label: String) async -> ChildProcess.Exit {
        let (exit, _, error) = await child.finish()
        let entry = Array("== spoold \(label), pid \(child.pid): \(exit)\n\(error)".utf8)
        if let log = try? FileDescriptor.open(
            spool.daemonLog,
            .writeOnly,
            options: [.create, .append],
            permissions: [.ownerReadWrite, .groupRead, .otherRead]
        ) {
            _ = try? log.closeAfter { (log) throws(Errno) in try log.writeAll(entry) }
        }
        return exit
    }
}
