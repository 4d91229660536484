import Logging
import SpoolSystem
import SystemPackage

extension Spool {
    /// Enqueues a group: its members run in parallel, and its callback (if any) runs once, when every member
    /// has succeeded (or finished, as ``NewGroup/runCallback`` says), with their results in member order.
    ///
    /// The group is written to a folder of its own in `tmp/` (manifest, callback, members), flushed, and
    /// renamed to `groups/<id>/` in one step: from then on it exists whole, and its members are renamed
    /// into their queues (by this process, or by the janitor if it dies first). When this returns the group
    /// survives a power loss (unless the spool's durability is ``Durability/none``).
    ///
    /// - Throws: ``SpoolError``: ``SpoolError/Code/invalidArgument`` naming the first member or field that
    ///   breaks a rule (nothing is written then), ``SpoolError/Code/alreadyExists`` for a group id or member
    ///   id in use, and I/O codes; nothing is left behind then.
    @discardableResult
    public func enqueue(group: NewGroup) throws(SpoolError) -> GroupReceipt {
        let request: GroupRequest
        do { request = try GroupRequest(group) } catch { throw SpoolError(.invalidArgument, error.reason) }
        return try enqueue(request, now: clock.now)
    }

    /// Enqueues a group given as a document (see ``GroupRequest``), as the HTTP API receives it, with the
    /// rules and guarantees of ``enqueue(group:)``.
    @discardableResult
    public func enqueue(groupDocument bytes: [UInt8]) throws(SpoolError) -> GroupReceipt {
        guard bytes.count <= configuration.maximumTaskBytes else {
            throw SpoolError(.invalidArgument, "group larger than \(configuration.maximumTaskBytes) bytes")
        }
        let request: GroupRequest
        do {
            request = try GroupRequest(json: try JSONParser.parse(bytes))
        } catch let error as TaskValidationError {
            throw SpoolError(.invalidArgument, error.reason)
        } catch {
            throw SpoolError(.invalidArgument, "invalid JSON: \(error)")
        }
        return try enqueue(request, now: clock.now)
    }

    /// Whether `bytes` hold a group document rather than a task, as far as a quick look tells.
    ///
    /// Only a document that names `"group"` is parsed, so that telling a task from a group costs a task
    /// no more than a scan of its bytes.
    public static func isGroupDocument(_ bytes: [UInt8]) -> Bool {
        GroupRequest.candidate(bytes) != nil
    }

    /// Checks a group request and makes its members' records, its callback's steps and its manifest.
    func prepare(_ request: GroupRequest, now: Timestamp) throws(SpoolError) -> (
        manifest: GroupManifest, members: [TaskRecord], given: [Bool], callback: JSONValue?
    ) {
        let id = request.id ?? ids.next(at: now)
        var members: [TaskRecord] = []
        var given: [Bool] = []
        members.reserveCapacity(request.members.count)
        do {
            for (index, template) in request.members.enumerated() {
                let steps = try WorkflowTemplate.steps(
                    of: template,
                    field: "group: member \(index + 1)",
                    now: now,
                    makeID: { ids.next(at: now) }
                )
                var record = try WorkflowTemplate.task(from: steps, queue: "default", now: now, makeID: { "" })
                record.group = id
                record.groupIndex = index
                record.workflow = id
                stamp(&record, now: now)
                members.append(record)
                given.append(template["id"] != nil)
            }
        } catch {
            throw SpoolError(.invalidArgument, error.reason)
        }
        var callback: JSONValue?
        if let value = request.callback {
            do {
                callback = .array(
                    try WorkflowTemplate.steps(of: value, field: "callback", now: now, makeID: { ids.next(at: now) })
                )
            } catch {
                throw SpoolError(.invalidArgument, error.reason)
            }
        }
        let callbackQueue = callback?.arrayValue?.first?["queue"]?.stringValue ?? members[0].queue
        let manifest = GroupManifest(
            id: id,
            members: members.map(\.id),
            callback: WorkflowTemplate.ids(of: callback).first,
            runCallback: request.runCallback,
            retention: request.retention ?? configuration.retention(of: callbackQueue, succeeded: true),
            createdAt: now,
            createdBy: "\(worker)"
        )
        return (manifest, members, given, callback)
    }

    /// Writes, publishes and places a checked group; `drop`, a claimed drop in `tmp/` that holds the group,
    /// goes with it in the same rename, so that the drop is ingested once.
    func enqueue(_ request: GroupRequest, now: Timestamp, drop: String? = nil) throws(SpoolError) -> GroupReceipt {
        try requireWrites("enqueue group")
        let (manifest, members, given, callback) = try prepare(request, now: now)
        let draft = try writeGroupDraft(manifest, members: members, given: given, callback: callback, drop: drop)
        do {
            try publishGroup(draft: draft, id: manifest.id)
        } catch {
            discardGroupDraft(draft)
            throw error
        }
        placeMembers(of: manifest, members, drop: drop)
        logger.info(
            "group enqueued",
            metadata: ["spool.group": "\(manifest.id)", "spool.group.size": "\(members.count)"]
        )
        return GroupReceipt(id: manifest.id, members: manifest.members, callback: WorkflowTemplate.ids(of: callback))
    }

    /// Writes the group's folder in `tmp/` (`g.<worker>.<sequence>`), reserves the ids its producer gave,
    /// and moves the claimed drop into it.
    private func writeGroupDraft(
        _ manifest: GroupManifest,
        members: [TaskRecord],
        given: [Bool],
        callback: JSONValue?,
        drop: String?
    ) throws(SpoolError) -> String {
        let tmp = try folders.handle(SpoolLayout.tmp, create: true)
        let draft = stagingName(.group)
        do {
            try Syscall.makeDirectory(draft, in: tmp.descriptor)
        } catch {
            throw SpoolError(error, "create", "\(SpoolLayout.tmp)/\(draft)")
        }
        let path = "\(SpoolLayout.tmp)/\(draft)"
        do throws(SpoolError) {
            let folder = try folders.handle(path, create: false)
            try write(JSONWriter.encode(manifest.json) + [0x0A], as: GroupLayout.manifest, in: folder, path: path)
            if let callback {
                try write(JSONWriter.encode(callback) + [0x0A], as: GroupLayout.callback, in: folder, path: path)
            }
            for (index, record) in members.enumerated() {
                try write(record.encoded, as: GroupLayout.member(index), in: folder, path: path)
            }
            for (record, isGiven) in zip(members, given) where isGiven {
                try reserve(id: record.id, queue: record.queue, token: draft, sync: false)
            }
            if let drop { try move(drop, in: SpoolLayout.tmp, to: drop, in: path) }
            if configuration.durability.syncsEnqueue {
                do { try tmp.descriptor.synchronizeFileSystem() } catch { throw SpoolError(error, "flush", path) }
            }
        } catch {
            discardGroupDraft(draft)
            throw error
        }
        return draft
    }

    /// Writes a new file `name` in the open folder `folder` (at `path`), unflushed.
    private func write(_ bytes: [UInt8], as name: String, in folder: DirectoryHandle, path: String) throws(SpoolError) {
        do throws(Errno) {
            let file = try FileDescriptor.open(
                name,
                in: folder.descriptor,
                .writeOnly,
                options: [.create, .exclusiveCreate],
                permissions: [.ownerReadWrite, .groupRead, .otherRead]
            )
            try file.closeAfter { (file) throws(Errno) in try file.writeAll(bytes) }
        } catch {
            throw SpoolError(error, "write", "\(path)/\(name)")
        }
    }

    /// Renames the draft to `groups/<id>/`, never over an existing group, and flushes `groups/`.
    private func publishGroup(draft: String, id: String) throws(SpoolError) {
        do {
            try move(
                draft,
                in: SpoolLayout.tmp,
                to: id,
                in: GroupLayout.groups,
                rule: .ownName,
                sync: configuration.durability.syncsEnqueue
            )
        } catch  where error.code == .alreadyExists {
            throw SpoolError(.alreadyExists, "group: \"\(id)\" is already in use")
        }
        folders.invalidate("\(SpoolLayout.tmp)/\(draft)")
    }

    /// Renames each member still in the group's folder into its queue, then flushes the folders they went
    /// to. A member the janitor placed meanwhile is skipped; one that cannot be placed is left to this
    /// process's janitor.
    func placeMembers(of manifest: GroupManifest, _ members: [TaskRecord], drop: String?) {
        let folder = GroupLayout.folder(manifest.id)
        let now = clock.now
        var targets = Set<String>()
        for (index, record) in members.enumerated() {
            do {
                try indexPlacement(of: record, due: placedDue(record, now: now), sync: false)
                let placed = try moveIntoPlace(
                    GroupLayout.member(index),
                    in: folder,
                    record: record,
                    due: record.runAt ?? now,
                    now: now,
                    sync: false
                )
                targets.insert(placed.folder)
                metrics.enqueued(record.queue, source: .workflow)
            } catch  where error.code == .notFound {
                continue
            } catch {
                logger.error(
                    "group member not placed yet",
                    metadata: ["spool.group": "\(manifest.id)", "spool.error": "\(error.message)"]
                )
                strand(.groupMembers(group: manifest.id))
            }
        }
        if configuration.durability.syncsEnqueue {
            for target in targets { try? synchronizeFolder(target) }
            try? synchronizeFolder(folder)
        }
        if let drop, let directory = try? folders.handle(folder, create: false) {
            try? Syscall.unlink(drop, in: directory.descriptor)
        }
    }
}
