import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// Checks the whole spool and repairs what it can: a restored backup, a naive copy of a live spool, a
    /// spool after a crash or a power loss. Each problem is passed to `finding` as it is found (nothing is
    /// collected, so memory does not grow with the spool), in this order:
    ///
    /// 1. leftover staging files in `tmp/` (rolled back, or their ingest finished) and stale leases in
    ///    `running/` (returned as failed attempts), as the janitor recovers them;
    /// 2. every task file, read and parsed: a file that is not a valid task, or whose content names another
    ///    task, goes to `rejected/` with its reason; a task in the wrong folder for its name is moved where
    ///    its name says; names Spool does not use are reported and left alone;
    /// 3. tasks found in more than one place: the most advanced copy is kept (finished over running over
    ///    due over scheduled, then the one with more attempts), a second name of the same file is removed,
    ///    and any other copy goes to `rejected/`;
    /// 4. reservations and index entries (`ids/`, `unique/`, `keys/`, `deadlines/`) naming a task that is
    ///    not in the spool: removed.
    ///
    /// Every repair is a step the janitor or a worker could take, so a daemon may serve the spool meanwhile;
    /// a task that moves while it is looked at is looked at again rather than repaired.
    ///
    /// - Throws: ``SpoolError/Code/readOnly`` on a spool opened to read only, unless `options.dryRun`.
    ///
    /// - Parameter progress: Called now and then with the task files checked so far.
    public func fsck(
        _ options: FsckOptions,
        progress: @escaping (Int) -> Void = { _ in },
        finding: @escaping (FsckFinding) -> Void
    ) throws(SpoolError) -> FsckReport {
        if !options.dryRun { try requireWrites("repair") }
        var check = FsckCheck(spool: self, options: options, progress: progress, emit: finding)
        check.recoverInterruptedWork()
        check.checkTaskFiles()
        check.settleDuplicates()
        check.checkReferences()
        check.report.incoming = names(in: SpoolLayout.incoming).filter(Spool.isDropName).count
        progress(check.report.tasksChecked)
        if check.report.problems > 0 {
            logger.notice(
                "fsck",
                metadata: ["spool.problems": "\(check.report.problems)", "spool.repaired": "\(check.report.repaired)"]
            )
        }
        return check.report
    }
}

/// One run of ``Spool/fsck(_:progress:finding:)``: its options, what it found so far, and the ids it saw.
struct FsckCheck {
    let spool: Spool
    let options: FsckOptions
    let progress: (Int) -> Void
    let emit: (FsckFinding) -> Void
    let now: Timestamp
    var report = FsckReport()
    /// Every task id seen, in a set of fixed size (2^27 bits, 16 MiB: false reports stay under one in
    /// 10,000 up to about 4 million tasks), so that a second copy, or a reference to no task, costs no
    /// memory per task. What it reports is checked on disk.
    var seen = IDFilter(bitsLog2: 27)
    /// Ids the filter says were seen before: duplicate candidates, checked by ``settleDuplicates()``.
    var duplicateCandidates = Set<String>()

    init(spool: Spool, options: FsckOptions, progress: @escaping (Int) -> Void, emit: @escaping (FsckFinding) -> Void) {
        self.spool = spool
        self.options = options
        self.progress = progress
        self.emit = emit
        now = spool.clock.now
    }

    /// Reports a problem; `repair` makes the repair (unless this is a dry run) and says whether it took.
    mutating func found(
        _ problem: FsckProblem,
        _ path: String,
        id: String? = nil,
        _ detail: String,
        action: String?,
        repair: () -> Bool = { false }
    ) {
        let repaired = action != nil && !options.dryRun && repair()
        report.found[problem, default: 0] += 1
        if repaired { report.repaired += 1 }
        emit(FsckFinding(problem: problem, path: path, id: id, detail: detail, action: action, repaired: repaired))
    }

    // MARK: Interrupted work

    /// Reports the leftover staging files and stale leases, then recovers them as the janitor does (with
    /// ``FsckOptions/restored``, those of every process); each is repaired if it is gone afterwards.
    mutating func recoverInterruptedWork() {
        var staging: [(path: String, detail: String)] = []
        for name in spool.names(in: SpoolLayout.tmp).sorted() {
            guard let (kind, _) = spool.leftoverStaging(name, now: now, everyWorkerGone: options.restored) else {
                continue
            }
            let what =
                switch kind {
                case .ingest: "an interrupted ingest of a drop"
                case .write: "a half-done write"
                case .successor: "the next step of a workflow, not yet enqueued"
                case .groupResult: "a group member's result, not yet recorded"
                case .group: "a group whose creation was interrupted"
                case .setAside: "a task file set aside by an interrupted rewrite"
                case .probe: "a scratch file of the filesystem probe"
                }
            staging.append(("\(SpoolLayout.tmp)/\(name)", what))
        }
        var leases: [(path: String, id: String, detail: String)] = []
        for queue in spool.names(in: SpoolLayout.running).sorted() where Names.isValidQueueName(queue) {
            let queueFolder = "\(SpoolLayout.running)/\(queue)"
            for workerFolder in spool.names(in: queueFolder).sorted() {
                guard let owner = WorkerName(workerFolder), owner != spool.worker else { continue }
                let gone = options.restored || owner.isGoneFromThisHost
                let folder = "\(queueFolder)/\(workerFolder)"
                for name in spool.names(in: folder).sorted() {
                    guard let fileName = TaskFileName(name),
                        let status = try? Syscall.status("\(folder)/\(name)", in: spool.rootDescriptor)
                    else { continue }
                    let expiry = Timestamp(milliseconds: status.modificationTime.milliseconds)
                    guard gone || expiry < now else { continue }
                    let detail =
                        gone
                        ? "its worker \(owner) is gone" : "its lease expired at \(expiry.rfc3339)"
                    leases.append(("\(folder)/\(name)", fileName.id, detail))
                }
            }
        }
        if !options.dryRun, !staging.isEmpty || !leases.isEmpty {
            var janitor = JanitorReport()
            spool.recoverStaging(now: now, everyWorkerGone: options.restored, into: &janitor)
            spool.recoverLeases(now: now, everyWorkerGone: options.restored, into: &janitor)
        }
        let spool = spool
        func gone(_ path: String) -> Bool { (try? Syscall.status(path, in: spool.rootDescriptor)) == nil }
        for (path, detail) in staging {
            found(.leftoverStaging, path, "\(detail) by a process that is gone", action: "recovered") { gone(path) }
        }
        for (path, id, detail) in leases {
            found(.staleLease, path, id: id, detail, action: "returned as a failed attempt") { gone(path) }
        }
    }

    // MARK: Task files

    /// Reads every task file of every state, in order, and checks its place and its content.
    mutating func checkTaskFiles() {
        for state in TaskState.allCases {
            for queue in spool.names(in: state.rawValue).sorted() {
                let folder = "\(state.rawValue)/\(queue)"
                guard Names.isValidQueueName(queue) else {
                    found(.unknownEntry, folder, "not a queue name; Spool ignores it", action: nil)
                    continue
                }
                switch state {
                case .scheduled: checkScheduled(queue: queue)
                case .active: checkFiles(in: folder, state: .active, queue: queue)
                case .running: checkRunning(queue: queue)
                case .done, .dead: checkFinished(state: state, queue: queue)
                }
            }
        }
    }

    private mutating func checkScheduled(queue: String) {
        let queueFolder = "\(SpoolLayout.scheduled)/\(queue)"
        for day in subfolders(of: queueFolder) {
            for minute in subfolders(of: "\(queueFolder)/\(day)") {
                let start = Timestamp(dayFolder: day, minuteFolder: minute)
                checkFiles(in: "\(queueFolder)/\(day)/\(minute)", state: .scheduled, queue: queue, minute: start)
            }
        }
    }

    private mutating func checkRunning(queue: String) {
        let queueFolder = "\(SpoolLayout.running)/\(queue)"
        for entry in entries(of: queueFolder) {
            if entry.kind == .directory, WorkerName(entry.name) != nil {
                checkFiles(in: "\(queueFolder)/\(entry.name)", state: .running, queue: queue)
            } else if entry.kind == .regular, TaskFileName(entry.name) != nil {
                // A task outside any worker's folder: no worker holds it, so it is due again.
                check(entry.name, kind: .regular, in: queueFolder, state: .running, queue: queue, misplacedTo: .active)
            } else {
                found(
                    .unknownEntry,
                    "\(queueFolder)/\(entry.name)",
                    "not a worker folder; Spool ignores it",
                    action: nil
                )
            }
        }
    }

    private mutating func checkFinished(state: TaskState, queue: String) {
        let queueFolder = "\(state.rawValue)/\(queue)"
        for hour in subfolders(of: queueFolder) {
            let folder = "\(queueFolder)/\(hour)"
            guard SpoolLayout.finishedFolderEnd(hour) != nil else {
                found(.unknownEntry, folder, "not an hour folder; Spool ignores it", action: nil)
                continue
            }
            checkFiles(in: folder, state: state, queue: queue)
        }
    }

    /// The names of the folders in `folder`, sorted; any other entry is reported.
    private mutating func subfolders(of folder: String) -> [String] {
        var folders: [String] = []
        for entry in entries(of: folder) {
            if entry.kind == .directory {
                folders.append(entry.name)
            } else {
                found(.unknownEntry, "\(folder)/\(entry.name)", "a file where Spool expects a folder", action: nil)
            }
        }
        return folders
    }

    private func entries(of folder: String) -> [DirectoryEntry] {
        ((try? Syscall.entries(in: folder, relativeTo: spool.rootDescriptor)) ?? []).sorted { $0.name < $1.name }
    }

    /// Checks the task files of `folder`, which holds tasks in `state` of `queue` (due in the minute
    /// starting at `minute`, for a scheduled folder; `nil` when the folder's name is not a minute's).
    private mutating func checkFiles(in folder: String, state: TaskState, queue: String, minute: Timestamp? = nil) {
        for entry in entries(of: folder) {
            let name = entry.name
            let kind = entry.kind
            switch state {
            case .scheduled:
                let inPlace = minute != nil && TaskFileName(name).map { $0.due.minuteStart == minute } == true
                check(name, kind: kind, in: folder, state: state, queue: queue, misplacedTo: inPlace ? nil : .scheduled)
            case .running where name.hasSuffix(".group") || name.hasSuffix(".cancel"):
                continue
            case .done, .dead:
                if name.hasSuffix(".key") { continue }
                // A finished task is named by its id alone; a pending task's name here keeps its place.
                let misplaced = TaskFileName(name) != nil
                check(name, kind: kind, in: folder, state: state, queue: queue, misplacedTo: misplaced ? state : nil)
            default:
                check(name, kind: kind, in: folder, state: state, queue: queue)
            }
        }
    }
}
