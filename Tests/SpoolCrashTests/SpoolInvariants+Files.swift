import SpoolCore
import SpoolSystem
import SpoolTestSupport

extension SpoolInvariants {
    /// A walk of a spool's state folders: every task file read and parsed (I6), and every name checked
    /// against the forms of FORMAT.md section 1 (I7).
    struct TreeWalk {
        let root: String
        let doneRetention: Double
        let deadRetention: Double
        /// Every task file found.
        var tasks: [FoundTask] = []
        var violations: [InvariantViolation] = []
        private let now = SystemClock().now

        init(root: String, doneRetention: Double, deadRetention: Double) {
            self.root = root
            self.doneRetention = doneRetention
            self.deadRetention = deadRetention
        }

        /// Walks `scheduled/`, `active/`, `running/`, `done/` and `dead/`.
        mutating func walkStates() {
            for state in TaskState.allCases {
                for queue in entries(state.rawValue) {
                    let folder = "\(state.rawValue)/\(queue.name)"
                    guard queue.kind == .directory, Names.isValidQueueName(queue.name) else {
                        misplaced(folder, "is not a queue folder")
                        continue
                    }
                    switch state {
                    case .active: walkPending(folder, state: state, queue: queue.name, due: nil)
                    case .scheduled: walkScheduled(folder, queue: queue.name)
                    case .running: walkRunning(folder, queue: queue.name)
                    case .done, .dead: walkFinished(folder, state: state, queue: queue.name)
                    }
                }
            }
        }

        /// `scheduled/<queue>/<YYYYMMDD>/<HHMM>/<due>.<id>.json`, the due time in the folders' minute.
        private mutating func walkScheduled(_ folder: String, queue: String) {
            for day in entries(folder) {
                for minute in entries("\(folder)/\(day.name)") {
                    let path = "\(folder)/\(day.name)/\(minute.name)"
                    guard day.kind == .directory, minute.kind == .directory,
                        let start = Timestamp(dayFolder: day.name, minuteFolder: minute.name),
                        start.dayFolderName == day.name, start.minuteFolderName == minute.name
                    else {
                        misplaced(path, "is not a scheduled/<queue>/<YYYYMMDD>/<HHMM> folder")
                        continue
                    }
                    walkPending(path, state: .scheduled, queue: queue, due: start)
                }
            }
        }

        /// `running/<queue>/<worker>/<due>.<id>.json`; a `<due>.<id>.group` marker left there is a leftover.
        private mutating func walkRunning(_ folder: String, queue: String) {
            for worker in entries(folder) {
                let path = "\(folder)/\(worker.name)"
                guard worker.kind == .directory, Names.isValidWorkerName(worker.name) else {
                    misplaced(path, "is not a running/<queue>/<worker> folder")
                    continue
                }
                walkPending(path, state: .running, queue: queue, due: nil)
            }
        }

        /// The task files of one pending folder; with `due`, every due time must fall in that minute.
        private mutating func walkPending(_ folder: String, state: TaskState, queue: String, due minute: Timestamp?) {
            for entry in entries(folder) {
                let path = "\(folder)/\(entry.name)"
                if state == .running, entry.name.hasSuffix(".group") {
                    violations.append(
                        InvariantViolation(
                            invariant: .i5,
                            subject: path,
                            evidence:
                                "process group marker (-> \(SpoolFiles.readLink("\(root)/\(path)") ?? "?")) left behind"
                        )
                    )
                    continue
                }
                guard entry.kind == .regular, let name = TaskFileName(entry.name) else {
                    misplaced(path, "is not a <due>.<id>.json task file")
                    continue
                }
                if let minute, name.due.minuteStart != minute {
                    misplaced(path, "is due at \(name.due), outside its minute folder")
                }
                read(path, state: state, queue: queue, nameID: name.id)
            }
        }

        /// `done/<queue>/<YYYYMMDDHH>/<id>.json` or `dead/…`, in the folder of the hour its retention ends.
        private mutating func walkFinished(_ folder: String, state: TaskState, queue: String) {
            for day in entries(folder) {
                let dayPath = "\(folder)/\(day.name)"
                guard day.kind == .directory, SpoolLayout.finishedFolderEnd(day.name) != nil,
                    Timestamp(dayFolder: String(day.name.prefix(8)), minuteFolder: String(day.name.suffix(2)) + "00")?
                        .hourFolderName == day.name
                else {
                    misplaced(dayPath, "is not a \(state.rawValue)/<queue>/<YYYYMMDDHH> folder")
                    continue
                }
                for entry in entries(dayPath) {
                    let path = "\(dayPath)/\(entry.name)"
                    let id = String(entry.name.dropLast(5))
                    guard entry.kind == .regular, entry.name.hasSuffix(".json"), Names.isValidTaskID(id) else {
                        misplaced(path, "is not an <id>.json task file")
                        continue
                    }
                    guard let record = read(path, state: state, queue: queue, nameID: id) else { continue }
                    checkFinished(record, path: path, state: state, day: day.name)
                }
            }
        }

        /// A finished task's folder is the hour its retention ends; a dead task says why it is dead.
        private mutating func checkFinished(_ record: TaskRecord, path: String, state: TaskState, day: String) {
            let retention = record.retention ?? (state == .done ? doneRetention : deadRetention)
            if let finished = record.finishedAt {
                let expected = finished.adding(seconds: retention).hourFolderName
                if expected != day {
                    misplaced(path, "finished at \(finished) with a retention of \(retention) s belongs in \(expected)")
                }
            } else if state == .dead {
                misplaced(path, "is dead without finished_at")
            } else {
                // A success without a result is a bare rename: it finished between its creation and now.
                let earliest = (record.createdAt ?? Timestamp.earliest).adding(seconds: retention).hourFolderName
                let latest = now.adding(seconds: retention).hourFolderName
                if day < earliest || day > latest {
                    misplaced(path, "belongs in an hour folder from \(earliest) to \(latest)")
                }
            }
            if state == .dead, record.stateReason == nil {
                misplaced(path, "is dead without a state_reason")
            }
        }

        /// Reads and parses one task file (I6) and checks its id and queue against its place (I7).
        @discardableResult
        private mutating func read(_ path: String, state: TaskState, queue: String, nameID: String) -> TaskRecord? {
            var task = FoundTask(path: path, state: state, queue: queue, nameID: nameID)
            defer { tasks.append(task) }
            guard let bytes = try? SpoolFiles.read("\(root)/\(path)") else {
                violations.append(
                    InvariantViolation(invariant: .i6, subject: nameID, evidence: "\(path) cannot be read")
                )
                return nil
            }
            guard !bytes.isEmpty else {
                violations.append(InvariantViolation(invariant: .i6, subject: nameID, evidence: "\(path) is empty"))
                return nil
            }
            let record: TaskRecord
            do {
                record = try TaskRecord.parse(bytes, now: now, makeID: { "" })
            } catch {
                violations.append(
                    InvariantViolation(
                        invariant: .i6,
                        subject: nameID,
                        evidence: "\(path) (\(bytes.count) bytes) does not parse as a task: \(error)"
                    )
                )
                return nil
            }
            task.record = record
            if record.id != nameID { misplaced(path, "holds the id \"\(record.id)\"", subject: nameID) }
            if record.queue != queue { misplaced(path, "holds the queue \"\(record.queue)\"", subject: nameID) }
            return record
        }

        private mutating func misplaced(_ path: String, _ evidence: String, subject: String? = nil) {
            violations.append(
                InvariantViolation(invariant: .i7, subject: subject ?? path, evidence: "\(path) \(evidence)")
            )
        }

        /// The entries of `folder` (relative to the root), sorted by name; none when it is missing.
        func entries(_ folder: String) -> [DirectoryEntry] {
            ((try? Syscall.entries(in: "\(root)/\(folder)")) ?? []).sorted { $0.name < $1.name }
        }
    }
}
