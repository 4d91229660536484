import Logging
import SpoolSystem
import SystemPackage

/// Who holds a unique key: the text of the symbolic link `unique/<queue>/<key name>`.
struct UniqueKeyHolder: Equatable {
    /// The task holding the key.
    var task: String
    /// The staging name of the enqueue that reserved it (empty for a retry by hand).
    var token: String
    /// The key is held at least until this time (`unique_for`), in Unix milliseconds.
    var until: Int64?
    /// The task has finished: the key is held only until `until`.
    var finished: Bool
    /// The key itself, so that a hashed name is checked against it.
    var key: String

    /// Whether the key is held at `now`.
    func holds(at now: Timestamp) -> Bool {
        !finished || (until.map { now.milliseconds < $0 } ?? false)
    }

    var text: String {
        var members = [JSONMember("task", .string(task)), JSONMember("token", .string(token))]
        if let until { members.append(JSONMember("until", .integer(until))) }
        if finished { members.append(JSONMember("finished", .bool(true))) }
        members.append(JSONMember("key", .string(key)))
        return String(decoding: JSONWriter.encode(.object(members)), as: UTF8.self)
    }

    init(task: String, token: String, until: Int64?, finished: Bool = false, key: String) {
        self.task = task
        self.token = token
        self.until = until
        self.finished = finished
        self.key = key
    }

    init?(text: String) {
        guard let json = try? JSONParser.parse(Array(text.utf8)), let task = json["task"]?.stringValue,
            let key = json["key"]?.stringValue
        else { return nil }
        self.init(
            task: task,
            token: json["token"]?.stringValue ?? "",
            until: json["until"]?.integerValue,
            finished: json["finished"] == .bool(true),
            key: key
        )
    }
}

extension Spool {
    /// The file name of unique key `key` in `unique/<queue>/`: see ``keyName(_:longest:)``.
    static func uniqueKeyName(_ key: String) -> String { keyName(key, longest: 200) }

    /// A name for `key` in a folder: the key with every byte outside `[A-Za-z0-9_-]` (and a first `.`)
    /// written `%XX`; a key longer than `longest` bytes so written is named `~` and a 128-bit hash of it,
    /// and whoever reads the name checks the key kept beside it.
    static func keyName(_ key: String, longest: Int) -> String {
        var name = ""
        for byte in key.utf8 {
            let kept =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || (byte == 0x2E && !name.isEmpty)
            if kept {
                name.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                name += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        guard name.utf8.count > longest else { return name }
        func hex(_ hash: UInt64) -> String {
            let text = String(hash, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return "~" + hex(fnv1a(key)) + hex(fnv1a(key, offset: 0x8422_2325_CBF2_9CE4))
    }

    /// The 64-bit FNV-1a hash of `key`'s UTF-8 bytes, from `offset` (the standard offset basis by default).
    static func fnv1a(_ key: String, offset: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var hash = offset
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }

    /// Reserves the unique key of `record` (if it has one) for it in `unique/<queue>/`, with a symbolic
    /// link created without replacing. A link already there whose holder no longer holds the key (its task
    /// finished, and `unique_for` has passed) is removed first, under the queue's lock.
    ///
    /// - Returns: `true` if this call made the reservation.
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/alreadyExists`` naming the task that holds the key.
    @discardableResult
    func reserveUniqueKey(of record: TaskRecord, token: String, now: Timestamp, sync: Bool) throws(SpoolError)
        -> Bool
    {
        guard let key = record.uniqueKey else { return false }
        try requireWrites("reserve unique key")
        let folderName = SpoolLayout.uniqueFolder(queue: record.queue)
        let folder = try folders.handle(folderName, create: true)
        let name = Spool.uniqueKeyName(key)
        let until = record.uniqueFor.map { now.adding(seconds: $0).milliseconds }
        let holder = UniqueKeyHolder(task: record.id, token: token, until: until, key: key)
        for _ in 0..<8 {
            do {
                try Syscall.makeSymbolicLink(name, in: folder.descriptor, target: holder.text)
            } catch .fileExists {
                if try removeStaleHolder(name, queue: record.queue, for: holder, now: now) { return false }
                continue
            } catch {
                throw SpoolError(error, "reserve unique key", "\(folderName)/\(name)")
            }
            if sync, configuration.durability.syncsEnqueue {
                do { try folder.descriptor.synchronize() } catch {
                    try? Syscall.unlink(name, in: folder.descriptor)
                    throw SpoolError(error, "flush folder", folderName)
                }
            }
            return true
        }
        throw SpoolError(.io, "reserve unique key \"\(key)\": the reservation kept changing")
    }

    /// Under the queue's lock: removes `name` if its holder no longer holds the key. `true` if `holder`
    /// (the same task and token) holds it already.
    ///
    /// - Throws: ``SpoolError/Code/alreadyExists`` if another task holds it.
    private func removeStaleHolder(_ name: String, queue: String, for holder: UniqueKeyHolder, now: Timestamp)
        throws(SpoolError) -> Bool
    {
        try withUniqueKeyLock(queue: queue) { (folder) throws(SpoolError) -> Bool in
            guard let text = try? Syscall.readSymbolicLink(name, in: folder) else { return false }
            guard let current = UniqueKeyHolder(text: text) else {
                // Not a holder Spool wrote: replaced.
                try? Syscall.unlink(name, in: folder)
                return false
            }
            // The same enqueue or ingest, tried again (an ingest resumed by recovery generates its id anew).
            if !holder.token.isEmpty, current.token == holder.token, !current.finished {
                if current != holder { replaceHolder(name, in: folder, with: holder) }
                return true
            }
            guard current.key == holder.key else {
                throw SpoolError(.alreadyExists, "unique_key: its hash is that of another key in use (\(name))")
            }
            if current.holds(at: now) {
                throw SpoolError(
                    .alreadyExists,
                    "unique_key \(JSONWriter.quoted(holder.key)) is held by task \(current.task) in queue \(queue)"
                )
            }
            try? Syscall.unlink(name, in: folder)
            return false
        }
    }

    /// Releases the unique key of `record` as its task finishes: removed, or marked finished while its
    /// `unique_for` lasts. Only a reservation held by this task is touched.
    func releaseUniqueKey(of record: TaskRecord, now: Timestamp) {
        guard let key = record.uniqueKey else { return }
        let name = Spool.uniqueKeyName(key)
        try? withUniqueKeyLock(queue: record.queue) { (folder) throws(SpoolError) in
            guard let text = try? Syscall.readSymbolicLink(name, in: folder), let current = UniqueKeyHolder(text: text),
                current.task == record.id, !current.finished
            else { return }
            release(name, in: folder, heldBy: current, now: now)
        }
    }

    /// Removes the reservation of `record`'s unique key made by the enqueue that staged `token`, if it is
    /// still that one's: the enqueue failed or died before placing its task.
    func releaseUniqueKey(of record: TaskRecord, madeFor token: String) {
        guard let key = record.uniqueKey else { return }
        let name = Spool.uniqueKeyName(key)
        try? withUniqueKeyLock(queue: record.queue) { (folder) throws(SpoolError) in
            guard let text = try? Syscall.readSymbolicLink(name, in: folder), let current = UniqueKeyHolder(text: text),
                current.task == record.id, current.token == token, !current.finished
            else { return }
            try? Syscall.unlink(name, in: folder)
        }
    }

    /// Releases key `name`, held by `holder` whose task has finished: removed, or marked finished while its
    /// `unique_for` lasts. The caller holds the queue's lock.
    private func release(_ name: String, in folder: FileDescriptor, heldBy holder: UniqueKeyHolder, now: Timestamp) {
        if let until = holder.until, now.milliseconds < until {
            var finished = holder
            finished.finished = true
            replaceHolder(name, in: folder, with: finished)
        } else {
            try? Syscall.unlink(name, in: folder)
        }
    }

    /// Replaces the link `name` by one holding `holder`, by rename.
    private func replaceHolder(_ name: String, in folder: FileDescriptor, with holder: UniqueKeyHolder) {
        let staged = "\(name).\(stagingName(.write))".truncated(toBytes: Spool.maximumNameBytes)
        do {
            try Syscall.makeSymbolicLink(staged, in: folder, target: holder.text)
            try gate.pass { () throws(Errno) in try Syscall.rename(staged, in: folder, to: name, in: folder) }
        } catch {
            try? Syscall.unlink(staged, in: folder)
        }
    }

    /// Runs `body` holding the exclusive lock of `unique/<queue>/` (the file `.lock` in it), which every
    /// change to an existing reservation of the queue takes; creating one does not need it.
    private func withUniqueKeyLock<R>(queue: String, _ body: (FileDescriptor) throws(SpoolError) -> R)
        throws(SpoolError)
        -> R
    {
        let folderName = SpoolLayout.uniqueFolder(queue: queue)
        let folder = try folders.handle(folderName, create: true)
        let lock: FileDescriptor
        do {
            lock = try FileDescriptor.open(
                SpoolLayout.uniqueLock,
                in: folder.descriptor,
                .readWrite,
                options: [.create],
                permissions: [.ownerReadWrite, .groupRead, .otherRead]
            )
            try lock.lockExclusively()
        } catch {
            throw SpoolError(error, "lock", "\(folderName)/\(SpoolLayout.uniqueLock)")
        }
        defer { lock.closeQuietly() }
        return try body(folder.descriptor)
    }

    /// Releases what no task holds any longer (a process died between finishing a task and releasing its
    /// key) and removes the reservations whose window has passed. One listing of each queue's pending and
    /// running tasks; a holder not found there is looked for once more before its key goes.
    ///
    /// - Returns: How many reservations were removed or released.
    func sweepUniqueKeys(now: Timestamp) -> Int {
        var released = 0
        for queue in names(in: SpoolLayout.unique) where Names.isValidQueueName(queue) {
            let folderName = SpoolLayout.uniqueFolder(queue: queue)
            let links = names(in: folderName).filter { $0 != SpoolLayout.uniqueLock }
            guard !links.isEmpty, let folder = try? folders.handle(folderName, create: false) else { continue }
            var pending = IDFilter(bitsLog2: 20)
            forEachTask(states: [.scheduled, .active, .running], queue: queue) { location in
                pending.insert(location.id.utf8)
                return true
            }
            for name in links {
                guard let text = try? Syscall.readSymbolicLink(name, in: folder.descriptor),
                    let holder = UniqueKeyHolder(text: text)
                else { continue }
                if holder.finished {
                    if holder.holds(at: now) { continue }
                } else {
                    if pending.mayContain(holder.task.utf8) { continue }
                    if !holder.token.isEmpty,
                        (try? Syscall.status("\(SpoolLayout.tmp)/\(holder.token)", in: rootDescriptor)) != nil
                    {
                        continue
                    }
                    if let location = find(id: holder.task), [.scheduled, .active, .running].contains(location.state) {
                        continue
                    }
                }
                try? withUniqueKeyLock(queue: queue) { (folder) throws(SpoolError) in
                    guard (try? Syscall.readSymbolicLink(name, in: folder)) == text else { return }
                    release(name, in: folder, heldBy: holder, now: now)
                    released += 1
                }
            }
        }
        return released
    }
}
