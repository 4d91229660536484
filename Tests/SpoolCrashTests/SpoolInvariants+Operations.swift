import SpoolCore
import SpoolSystem
import SpoolTestSupport

extension SpoolInvariants {
    /// I1 and I2: every acknowledged enqueue has exactly one task, every enqueue under way at a kill has at
    /// most one, and every task belongs to an enqueue of the log.
    func checkOperations(_ tasks: [FoundTask], log: OperationLog, into report: inout InvariantReport) {
        var byTag: [String: [FoundTask]] = [:]
        var byID: [String: [FoundTask]] = [:]
        for task in tasks {
            byID[task.nameID, default: []].append(task)
            guard let record = task.record else { continue }
            if let tag = OperationLog.tag(of: record) { byTag[tag, default: []].append(task) }
        }
        for (id, places) in byID where places.count > 1 {
            report.violations.append(
                InvariantViolation(
                    invariant: .i1,
                    subject: id,
                    evidence: "is in \(places.count) places: \(places.map(\.path).joined(separator: ", "))"
                )
            )
        }
        var operations: [String: OperationLog.Enqueue] = [:]
        for operation in log.enqueues {
            operations[operation.tag] = operation
            // A task whose file does not parse (I6) is still found by its id, when the id is known.
            let found = byTag[operation.tag] ?? operation.id.flatMap { byID[$0] } ?? []
            let subject = operation.id ?? operation.tag
            if operation.acknowledged {
                report.acknowledged += 1
            } else {
                report.maybe += 1
                if !found.isEmpty { report.maybeFound += 1 }
            }
            if found.isEmpty && operation.acknowledged {
                report.lost += 1
                let waiting = operation.producer == .drop ? dropStillWaiting(operation) : nil
                report.violations.append(
                    InvariantViolation(
                        invariant: .i1,
                        subject: subject,
                        evidence: "acknowledged to \(operation.producer.rawValue) (tag \(operation.tag)) but found "
                            + (waiting.map { "only in incoming/ as \($0)" } ?? "in no folder")
                    )
                )
            } else if found.count > 1 {
                report.violations.append(
                    InvariantViolation(
                        invariant: .i1,
                        subject: subject,
                        evidence: "enqueued once (tag \(operation.tag)) but found \(found.count) times: "
                            + found.map(\.path).joined(separator: ", ")
                    )
                )
            }
            if let id = operation.id, let task = found.first(where: { $0.nameID != id }) {
                report.violations.append(
                    InvariantViolation(
                        invariant: .i2,
                        subject: id,
                        evidence: "the task of tag \(operation.tag) has the id \(task.nameID) (\(task.path))"
                    )
                )
            }
        }
        for task in tasks {
            guard let record = task.record else { continue }
            guard let tag = OperationLog.tag(of: record) else {
                report.violations.append(
                    InvariantViolation(invariant: .i2, subject: task.nameID, evidence: "\(task.path) has no tag")
                )
                continue
            }
            if operations[tag] == nil {
                report.violations.append(
                    InvariantViolation(
                        invariant: .i2,
                        subject: task.nameID,
                        evidence: "\(task.path) (tag \(tag)) was never enqueued"
                    )
                )
            }
        }
    }

    /// The name in `incoming/` of a drop's file still waiting there, if any.
    private func dropStillWaiting(_ operation: OperationLog.Enqueue) -> String? {
        SpoolFiles.names("\(root)/\(SpoolLayout.incoming)").first { $0.contains(operation.tag) }
    }

    /// I5: after recovery, `tmp/` is empty and every reservation in `ids/` belongs to a task in the spool
    /// (process group markers left in `running/` are found by the walk).
    func checkLeftovers(_ tasks: [FoundTask], into report: inout InvariantReport) {
        for name in SpoolFiles.names("\(root)/\(SpoolLayout.tmp)") {
            report.violations.append(
                InvariantViolation(invariant: .i5, subject: "tmp/\(name)", evidence: "left in tmp/ after recovery")
            )
        }
        let ids = Set(tasks.map(\.nameID))
        for name in SpoolFiles.names("\(root)/\(SpoolLayout.ids)") where !ids.contains(name) {
            let target = SpoolFiles.readLink("\(root)/\(SpoolLayout.ids)/\(name)") ?? "?"
            report.violations.append(
                InvariantViolation(
                    invariant: .i5,
                    subject: name,
                    evidence: "ids/\(name) (-> \(target)) reserves an id no task in the spool has"
                )
            )
        }
    }

    /// I8, and I1 for drops: every bad drop is in `rejected/`, byte for byte, next to a one-line reason; no
    /// drop is left in `incoming/`; `rejected/` holds nothing else (a task file there was found unreadable:
    /// I6).
    func checkRejected(log: OperationLog, into report: inout InvariantReport) {
        let rejected = "\(root)/\(SpoolLayout.rejected)"
        var expected = Set<String>()
        for drop in log.badDrops {
            report.badDrops += 1
            expected.formUnion([drop.name, "\(drop.name).reason"])
            guard let bytes = try? SpoolFiles.read("\(rejected)/\(drop.name)") else {
                let waiting = SpoolFiles.names("\(root)/\(SpoolLayout.incoming)").contains(drop.name)
                report.violations.append(
                    InvariantViolation(
                        invariant: .i8,
                        subject: drop.name,
                        evidence: waiting ? "still waits in incoming/" : "is neither in rejected/ nor in incoming/"
                    )
                )
                continue
            }
            if bytes != drop.bytes {
                report.violations.append(
                    InvariantViolation(
                        invariant: .i8,
                        subject: drop.name,
                        evidence:
                            "rejected/\(drop.name) holds \(bytes.count) bytes, not the \(drop.bytes.count) dropped"
                    )
                )
            }
            let reason = String(
                decoding: (try? SpoolFiles.read("\(rejected)/\(drop.name).reason")) ?? [],
                as: UTF8.self
            )
            if reason.count < 2 || !reason.hasSuffix("\n") || reason.dropLast().contains("\n") {
                report.violations.append(
                    InvariantViolation(
                        invariant: .i8,
                        subject: drop.name,
                        evidence: "rejected/\(drop.name).reason is not one line: \"\(reason)\""
                    )
                )
            }
        }
        for name in SpoolFiles.names(rejected) where !expected.contains(name) && !name.hasSuffix(".reason") {
            let reason = String(decoding: (try? SpoolFiles.read("\(rejected)/\(name).reason")) ?? [], as: UTF8.self)
            let isTask = TaskFileName(name) != nil
            report.violations.append(
                InvariantViolation(
                    invariant: isTask ? .i6 : .i8,
                    subject: isTask ? TaskFileName(name)!.id : name,
                    evidence: "rejected/\(name) was quarantined: \(reason.split(separator: "\n").first ?? "no reason")"
                )
            )
        }
        for name in SpoolFiles.names("\(root)/\(SpoolLayout.incoming)")
        where !name.hasPrefix(".") && !expected.contains(name) {
            report.violations.append(
                InvariantViolation(invariant: .i1, subject: name, evidence: "incoming/\(name) was never ingested")
            )
        }
    }
}
