import Logging
import SpoolSystem

extension Spool {
    /// Adds a task to the spool and returns its id.
    ///
    /// The task is written to `tmp/`, flushed, renamed into `active/<queue>/` (due now) or its due-minute
    /// folder under `scheduled/`, and the folder flushed: when this returns the task survives a power loss
    /// (unless the spool's durability is ``Durability/none``).
    ///
    /// - Throws: ``SpoolError``: ``SpoolError/Code/invalidArgument`` for a task that breaks a rule of the
    ///   format, ``SpoolError/Code/alreadyExists`` for an id in use, ``SpoolError/Code/noSpace`` and other
    ///   I/O codes when the filesystem fails; nothing is left behind then.
    @discardableResult
    public func enqueue(_ task: NewTask) throws(SpoolError) -> String {
        try enqueueRecord(task).id
    }

    /// ``enqueue(_:)``, returning the task as stored.
    func enqueueRecord(_ task: NewTask) throws(SpoolError) -> TaskRecord {
        let now = clock.now
        var record: TaskRecord
        do {
            record = try task.record(now: now, makeID: { ids.next(at: now) })
        } catch {
            throw SpoolError(.invalidArgument, error.reason)
        }
        try accept(&record, reservingID: task.id != nil, now: now)
        return record
    }

    /// Adds a task given as a JSON document in the task-file format (as an HTTP API receives it), with the
    /// same rules and guarantees as ``enqueue(_:)``.
    ///
    /// - Parameter trace: The task's trace when the document has no `traceparent` (an HTTP request's
    ///   `traceparent` header, say).
    /// - Returns: The task as stored.
    @discardableResult
    public func enqueue(json bytes: [UInt8], trace: TaskTrace? = nil) throws(SpoolError) -> TaskRecord {
        let now = clock.now
        guard bytes.count <= configuration.maximumTaskBytes else {
            throw SpoolError(.invalidArgument, "task larger than \(configuration.maximumTaskBytes) bytes")
        }
        var parsed: (record: TaskRecord, givenID: Bool)
        do { parsed = try parseDocument(bytes, trace: trace, now: now) } catch {
            throw SpoolError(.invalidArgument, error.reason)
        }
        try accept(&parsed.record, reservingID: parsed.givenID, now: now)
        return parsed.record
    }

    /// A task-file document as a record, given `trace` when it has none, and whether its id is the
    /// producer's (to be reserved when placed) rather than generated.
    func parseDocument(_ bytes: [UInt8], trace: TaskTrace?, now: Timestamp) throws(TaskValidationError) -> (
        record: TaskRecord, givenID: Bool
    ) {
        // Ids are also generated for the document's workflow steps that have none: the task's own id was
        // given unless it is one of those generated.
        var generated: Set<String> = []
        var record = try TaskRecord.parse(bytes, now: now) {
            let id = ids.next(at: now)
            generated.insert(id)
            return id
        }
        if record.trace == nil { record.trace = trace }
        return (record, !generated.contains(record.id))
    }

    /// Stamps a validated record with its creation and due times, places it in its `enqueue` span, and logs it.
    private func accept(_ record: inout TaskRecord, reservingID: Bool, now: Timestamp) throws(SpoolError) {
        stamp(&record, now: now)
        let span = tracing.startEnqueue(&record, source: .library, at: now)
        do {
            try place(record, reservingID: reservingID, now: now)
        } catch {
            tracing.endEnqueue(span, failure: error, at: clock.now)
            throw error
        }
        tracing.endEnqueue(span, failure: nil, at: clock.now)
        metrics.enqueued(record.queue, source: .library)
        logger.info("enqueued", metadata: metadata(record))
    }

    /// Sets what Spool writes on acceptance: the creation time, and the due time when none was given.
    func stamp(_ record: inout TaskRecord, now: Timestamp) {
        record.createdAt = now
        if record.runAt == nil { record.runAt = now }
    }

    /// Log metadata naming a task that has not run yet.
    func metadata(_ record: TaskRecord) -> Logger.Metadata {
        [
            "spool.task.id": "\(record.id)", "spool.task.queue": "\(record.queue)", "spool.task.type": "\(record.type)",
            "spool.task.due": "\(record.runAt ?? clock.now)",
        ]
    }

    /// Stages the record's content, reserves its id and its unique key (naming the staged file, so that
    /// recovery can tell a reservation whose enqueue never finished), and renames the file into place by
    /// its due time.
    private func place(_ record: TaskRecord, reservingID: Bool, now: Timestamp) throws(SpoolError) {
        try checkStepIDs(of: record)
        let staged = try stage(record.encoded, sync: configuration.durability.syncsEnqueue)
        var reserved = false
        do {
            if reservingID { reserved = try reserve(id: record.id, queue: record.queue, token: staged) }
            try reserveUniqueKey(of: record, token: staged, now: now, sync: true)
            try indexPlacement(of: record, due: placedDue(record, now: now), sync: true)
            try placeDurably(staged, record: record, due: record.runAt ?? now, now: now)
        } catch {
            unindexPlacement(of: record)
            releaseUniqueKey(of: record, madeFor: staged)
            if reserved { releaseReservation(id: record.id) }
            discardStaged(staged)
            throw error
        }
    }

    /// Moves the staged file `name` into place as ``moveIntoPlace(_:in:record:due:now:sync:)`` does, then
    /// flushes its folder when the durability level says so. When that flush fails the task is not
    /// durable: it is taken back to `tmp/<name>` and the error thrown, so that the caller acknowledges
    /// nothing and leaves nothing. Only if a worker claimed it in between does the placement stand, since
    /// the task then runs.
    func placeDurably(_ name: String, record: TaskRecord, due: Timestamp, now: Timestamp) throws(SpoolError) {
        let placed = try moveIntoPlace(name, in: SpoolLayout.tmp, record: record, due: due, now: now, sync: false)
        guard configuration.durability.syncsEnqueue else { return }
        do {
            try synchronizeFolder(placed.folder)
        } catch {
            guard takeBack(placed, to: name) else { return }
            throw error
        }
    }

    /// Moves a task just placed back to `tmp/<staged>`; `false` when a worker has claimed it already.
    func takeBack(_ placed: (folder: String, name: String), to staged: String) -> Bool {
        (try? move(placed.name, in: placed.folder, to: staged, in: SpoolLayout.tmp)) != nil
    }

    /// The due time a new task's file name gets.
    func placedDue(_ record: TaskRecord, now: Timestamp) -> Timestamp {
        min(record.runAt ?? now, TaskRecord.latestDue)
    }

    /// Moves a task file to where a task due at `due` waits: `active/<queue>/` if due by `now`, else its
    /// due-minute folder. The target name never overwrites an existing file.
    ///
    /// - Returns: The folder the task went to, and its name there.
    @discardableResult
    func moveIntoPlace(
        _ name: String,
        in folder: String,
        record: TaskRecord,
        due: Timestamp,
        now: Timestamp,
        sync: Bool? = nil
    ) throws(SpoolError) -> (folder: String, name: String) {
        let due = min(due, TaskRecord.latestDue)
        let target = TaskFileName(due: due, id: record.id).description
        let destination =
            due <= now
            ? SpoolLayout.activeFolder(queue: record.queue)
            : SpoolLayout.scheduledFolder(queue: record.queue, due: due)
        try move(
            name,
            in: folder,
            to: target,
            in: destination,
            rule: .ownName,
            sync: sync ?? configuration.durability.syncsEnqueue
        )
        return (destination, target)
    }
}
