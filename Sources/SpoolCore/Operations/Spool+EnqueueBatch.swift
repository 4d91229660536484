import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// Adds several tasks at once and returns their ids, in order, with one flush for all of them instead
    /// of one per task.
    ///
    /// Every task is checked before any is written. The files are written to `tmp/`, ids given by the
    /// producer are reserved, and the filesystem is flushed once (`syncfs`); the files are then renamed
    /// into place and each target folder is flushed once. When this returns, every task survives a power
    /// loss, as with ``enqueue(_:)`` (unless the spool's durability is ``Durability/none``).
    ///
    /// - Throws: ``SpoolError``: ``SpoolError/Code/invalidArgument`` naming the first task that breaks a rule
    ///   (nothing is written then), ``SpoolError/Code/alreadyExists`` for an id in use, and I/O codes. A
    ///   failed call leaves nothing behind: the tasks already placed are taken back, but for any a worker
    ///   claimed in between (it runs, and the message says how many).
    @discardableResult
    public func enqueue(contentsOf tasks: [NewTask]) throws(SpoolError) -> [String] {
        let now = clock.now
        var records: [TaskRecord] = []
        records.reserveCapacity(tasks.count)
        for (index, task) in tasks.enumerated() {
            do {
                var record = try task.record(now: now, makeID: { ids.next(at: now) })
                stamp(&record, now: now)
                records.append(record)
            } catch {
                throw SpoolError(.invalidArgument, "task \(index + 1) of \(tasks.count): \(error.reason)")
            }
        }
        try enqueueBatch(
            records,
            reservingIDs: tasks.map { $0.id != nil },
            skippingTaken: false,
            source: .library,
            now: now
        )
        return records.map(\.id)
    }

    /// Adds several tasks given as JSON documents in the task-file format (as ``enqueue(json:)`` takes one),
    /// as one batch with the rules and guarantees of ``enqueue(contentsOf:)``, and returns their ids in order.
    ///
    /// - Parameter trace: The trace of each task whose document has no `traceparent` (an HTTP request's
    ///   `traceparent` header, say).
    /// - Throws: ``SpoolError``: ``SpoolError/Code/invalidArgument`` naming the first document that is not a
    ///   valid task (`task <n> of <count>: <reason>`; nothing is written then), and the codes of
    ///   ``enqueue(contentsOf:)``.
    public func enqueue(documents: [[UInt8]], trace: TaskTrace? = nil) throws(SpoolError) -> [String] {
        let now = clock.now
        var records: [TaskRecord] = []
        var reserving: [Bool] = []
        records.reserveCapacity(documents.count)
        for (index, bytes) in documents.enumerated() {
            guard bytes.count <= configuration.maximumTaskBytes else {
                throw SpoolError(
                    .invalidArgument,
                    "task \(index + 1) of \(documents.count): larger than \(configuration.maximumTaskBytes) bytes"
                )
            }
            do {
                var (record, givenID) = try parseDocument(bytes, trace: trace, now: now)
                stamp(&record, now: now)
                records.append(record)
                reserving.append(givenID)
            } catch {
                throw SpoolError(.invalidArgument, "task \(index + 1) of \(documents.count): \(error.reason)")
            }
        }
        try enqueueBatch(records, reservingIDs: reserving, skippingTaken: false, source: .library, now: now)
        return records.map(\.id)
    }

    /// Places stamped, validated records as one batch, as ``enqueue(contentsOf:)`` does, each in its
    /// `enqueue` span, counted as enqueued from `source`. With `skippingTaken`, a record whose id is in use is
    /// left out rather than failing the batch.
    ///
    /// - Returns: For each record, whether it was placed.
    @discardableResult
    func enqueueBatch(
        _ records: [TaskRecord],
        reservingIDs: [Bool],
        skippingTaken: Bool,
        source: EnqueueSource,
        now: Timestamp
    ) throws(SpoolError) -> [Bool] {
        for (index, record) in records.enumerated() {
            do {
                try checkStepIDs(of: record)
            } catch {
                throw SpoolError(error.code, "task \(index + 1) of \(records.count): \(error.message)")
            }
        }
        var records = records
        let spans = records.indices.map { tracing.startEnqueue(&records[$0], source: source, at: now) }
        let staged: [String?]
        do {
            staged = try stageBatch(records, reservingIDs: reservingIDs, skippingTaken: skippingTaken, now: now)
            let placing = staged.indices.filter { staged[$0] != nil }
            try placeBatch(
                placing.map { records[$0] },
                staged: placing.compactMap { staged[$0] },
                reservingIDs: placing.map { reservingIDs[$0] },
                now: now
            )
        } catch {
            for span in spans { tracing.endEnqueue(span, failure: error, at: clock.now) }
            throw error
        }
        for index in records.indices {
            guard staged[index] != nil else {
                tracing.endEnqueue(spans[index], failure: nil, skipped: true, at: clock.now)
                continue
            }
            tracing.endEnqueue(spans[index], failure: nil, at: clock.now)
            metrics.enqueued(records[index].queue, source: source)
            logger.info("enqueued", metadata: metadata(records[index]))
        }
        return staged.map { $0 != nil }
    }

    /// Writes every record to `tmp/` and reserves the ids asked for, then flushes the filesystem once.
    /// With `skippingTaken`, a record whose id is in use has its staged file removed and `nil` in its
    /// place. On failure nothing is left behind.
    private func stageBatch(
        _ records: [TaskRecord],
        reservingIDs: [Bool],
        skippingTaken: Bool,
        now: Timestamp
    ) throws(SpoolError) -> [String?] {
        var staged: [String?] = []
        var reserved: [String] = []
        var keysReserved: [Int] = []
        staged.reserveCapacity(records.count)
        do throws(SpoolError) {
            for record in records { staged.append(try stage(record.encoded, sync: false)) }
            for (index, record) in records.enumerated() where reservingIDs[index] {
                guard let name = staged[index] else { continue }
                do {
                    if try reserve(id: record.id, queue: record.queue, token: name, sync: false) {
                        reserved.append(record.id)
                    }
                } catch  where skippingTaken && error.code == .alreadyExists {
                    discardStaged(name)
                    staged[index] = nil
                }
            }
            for (index, record) in records.enumerated()
            where (record.key != nil || record.deadline != nil || record.deleteAt != nil) && staged[index] != nil {
                try indexPlacement(of: record, due: placedDue(record, now: now))
            }
            for (index, record) in records.enumerated() where record.uniqueKey != nil {
                guard let name = staged[index] else { continue }
                do {
                    if try reserveUniqueKey(of: record, token: name, now: now, sync: false) {
                        keysReserved.append(index)
                    }
                } catch  where skippingTaken && error.code == .alreadyExists {
                    if reservingIDs[index] { releaseReservation(id: record.id) }
                    reserved.removeAll { $0 == record.id }
                    discardStaged(name)
                    staged[index] = nil
                }
            }
            if configuration.durability.syncsEnqueue {
                let tmp = try folders.handle(SpoolLayout.tmp, create: true)
                do { try tmp.descriptor.synchronizeFileSystem() } catch {
                    throw SpoolError(error, "flush", "the spool's filesystem")
                }
            }
        } catch {
            for record in records { unindexPlacement(of: record) }
            for index in keysReserved {
                if let name = staged[index] { releaseUniqueKey(of: records[index], madeFor: name) }
            }
            for id in reserved { releaseReservation(id: id) }
            for name in staged.compactMap({ $0 }) { discardStaged(name) }
            throw error
        }
        return staged
    }

    /// Renames staged files into place, in order, then flushes each target folder once.
    private func placeBatch(
        _ records: [TaskRecord],
        staged: [String],
        reservingIDs: [Bool],
        now: Timestamp
    ) throws(SpoolError) {
        var placed: [(folder: String, name: String)] = []
        var failure: SpoolError?
        for (record, name) in zip(records, staged) {
            do {
                let due = record.runAt ?? now
                placed.append(
                    try moveIntoPlace(name, in: SpoolLayout.tmp, record: record, due: due, now: now, sync: false)
                )
            } catch {
                failure = error
                break
            }
        }
        if failure == nil {
            do {
                try flush(Set(placed.map(\.folder)))
                return
            } catch {
                failure = error
            }
        }
        // Nothing is acknowledged: what was placed is taken back, unless a worker has claimed it already.
        var claimed = 0
        for index in records.indices {
            if index < placed.count, !takeBack(placed[index], to: staged[index]) {
                claimed += 1
                continue
            }
            unindexPlacement(of: records[index])
            releaseUniqueKey(of: records[index], madeFor: staged[index])
            if reservingIDs[index] { releaseReservation(id: records[index].id) }
            discardStaged(staged[index])
        }
        let failed = failure ?? SpoolError(.io, "batch enqueue failed")
        if claimed > 0 {
            throw SpoolError(
                failed.code,
                "\(claimed) of \(records.count) tasks enqueued (claimed already): \(failed.message)"
            )
        }
        throw failed
    }

    /// Flushes each folder, when the durability level flushes enqueues.
    private func flush(_ targets: Set<String>) throws(SpoolError) {
        guard configuration.durability.syncsEnqueue else { return }
        for target in targets {
            let folder = try folders.handle(target, create: false)
            do { try folder.descriptor.synchronize() } catch { throw SpoolError(error, "flush folder", target) }
        }
    }
}
