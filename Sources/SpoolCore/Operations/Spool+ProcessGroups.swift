import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// The name of the marker that records the process group of the attempt running `task`:
    /// `<due>.<id>.group`, next to the task file in its worker folder.
    static func processGroupMarker(for fileName: TaskFileName) -> String {
        "\(fileName.description.dropLast(".json".count)).group"
    }

    /// Records, next to the claimed task's file, that its attempt runs the process group led by `leader`:
    /// a symbolic link `<due>.<id>.group` whose text is `<pid>.<start ticks>`.
    ///
    /// A process group outlives a daemon that is killed (`SIGKILL`): its processes are adopted by another
    /// process and keep running. Before a janitor returns the lease of an attempt that ran on this host, it
    /// kills the recorded group, so that the attempt never overlaps its own retry.
    ///
    /// - Throws: ``SpoolError`` if the marker cannot be written; the attempt should then not go on, since
    ///   nothing would stop its processes if this daemon died.
    public func recordProcessGroup(leader: Int32, of task: ClaimedTask) throws(SpoolError) {
        // The leader may have exited already, but it is not reaped yet: what it started may still run.
        guard leader > 1, let ticks = LocalProcess.startTicks(of: leader, includingZombies: true) else {
            throw SpoolError(.invalidArgument, "process \(leader) does not run")
        }
        let folder = try folders.handle(task.folder, create: false)
        let marker = Spool.processGroupMarker(for: task.fileName)
        do {
            try Syscall.makeSymbolicLink(marker, in: folder.descriptor, target: "\(leader).\(ticks)")
        } catch .fileExists {
            try? Syscall.unlink(marker, in: folder.descriptor)
            do {
                try Syscall.makeSymbolicLink(marker, in: folder.descriptor, target: "\(leader).\(ticks)")
            } catch {
                throw SpoolError(error, "record process group", "\(task.folder)/\(marker)")
            }
        } catch {
            throw SpoolError(error, "record process group", "\(task.folder)/\(marker)")
        }
    }

    /// Removes the record of the claimed task's process group, once the group is gone.
    public func forgetProcessGroup(of task: ClaimedTask) {
        guard let folder = try? folders.handle(task.folder, create: false) else { return }
        try? Syscall.unlink(Spool.processGroupMarker(for: task.fileName), in: folder.descriptor)
    }

    /// Kills the process groups of an exec command of task `id` started by `owner` on this host, found by the
    /// `SPOOL_WORKER` and `SPOOL_TASK_ID` variables of its environment: the command may have started before
    /// its daemon, killed at that instant, recorded its group.
    func stopProcessGroups(of id: String, ranBy owner: WorkerName) {
        for leader in LocalProcess.processGroups(withEnvironment: ["SPOOL_WORKER=\(owner)", "SPOOL_TASK_ID=\(id)"]) {
            kill(groupLedBy: leader, of: "task \(id)")
        }
    }

    /// Kills the process group recorded by the marker `name` in `folder` (a worker folder of this host),
    /// waits a moment for it to go, and removes the marker.
    ///
    /// The group's id is its leader's pid, which the kernel does not reuse while any process of the group
    /// lives. So the group is signalled when its leader still runs with the recorded start time, or when no
    /// process has the leader's pid any more (the leader exited; what it left in the group keeps the id); it
    /// is left alone when another process now has that pid, since the group was empty when the pid was
    /// reused.
    ///
    /// - Returns: Whether a group was found and killed.
    @discardableResult
    func stopProcessGroup(marker name: String, in folder: String) -> Bool {
        guard let directory = try? folders.handle(folder, create: false) else { return false }
        defer { try? Syscall.unlink(name, in: directory.descriptor) }
        guard let text = try? Syscall.readSymbolicLink(name, in: directory.descriptor) else { return false }
        let parts = text.split(separator: ".")
        guard parts.count == 2, let leader = Int32(parts[0]), leader > 1, let ticks = UInt64(parts[1]) else {
            return false
        }
        if let running = LocalProcess.startTicks(of: leader), running != ticks { return false }
        return kill(groupLedBy: leader, of: "\(folder)/\(name)")
    }

    /// Sends `SIGKILL` to the process group led by `leader`, the attempt of `what`, waits up to a second for
    /// it to be gone, and says so; `false` if the group had no process left.
    @discardableResult
    private func kill(groupLedBy leader: Int32, of what: String) -> Bool {
        let group = ProcessGroup(leader: leader)
        guard group.kill() else { return false }
        // SIGKILL is final: no process of the group runs its own code again once it is sent. Waiting for
        // the group to be reaped keeps the return of the lease after the end of the processes, as a log
        // reader would expect; the wait is bounded, since a zombie whose parent does not reap it stays.
        for _ in 0..<200 where !group.isEmpty {
            OSThread.sleep(milliseconds: 5)
        }
        logger.warning(
            "killed the process group of an attempt whose worker is gone or whose lease expired",
            metadata: ["spool.attempt": "\(what)", "spool.process_group": "\(leader)"]
        )
        return true
    }
}
