/// The names of a spool's folders and files: the on-disk contract of `docs/FORMAT.md`, format version 2.
public enum SpoolLayout {
    /// The on-disk format version this code writes; it reads this one and older ones, migrating them when
    /// it may change the spool.
    public static let formatVersion = 2
    /// `format`: the spool's format version, a decimal number and a newline. A spool without it is of
    /// version 1.
    public static let formatFile = "format"

    /// Staging: every write lands here first.
    public static let tmp = "tmp"
    /// Drop box for producers in any language.
    public static let incoming = "incoming"
    /// Future tasks, one folder per due minute.
    public static let scheduled = "scheduled"
    /// Due tasks waiting for a worker.
    public static let active = "active"
    /// Claimed tasks, one folder per worker.
    public static let running = "running"
    /// Succeeded tasks, one folder per deletion hour.
    public static let done = "done"
    /// Tasks that gave up, one folder per deletion hour.
    public static let dead = "dead"
    /// Drops that could not be read, each with a `.reason`.
    public static let rejected = "rejected"
    /// Reservations of producer-given ids.
    public static let ids = "ids"
    /// One marker file per paused queue, named after the queue.
    public static let paused = "paused"

    /// Cron: entries kept in the spool, pause markers, and the last tick each entry fired.
    public static let cron = "cron"
    /// `cron/entries/<name>.json`: entries added with `spoolctl cron add`.
    public static let cronEntries = "cron/entries"
    /// `cron/paused/<name>`: marker, the entry is paused.
    public static let cronPaused = "cron/paused"
    /// `cron/last/<name> -> <tick in Unix ms>`: the latest tick noted as fired (a hint).
    public static let cronLast = "cron/last"

    /// Reservations of unique keys, one folder per queue.
    public static let unique = "unique"
    /// The lock file in each `unique/<queue>/` folder, taken to change an existing reservation.
    public static let uniqueLock = ".lock"

    /// The token buckets of rate-limited queues: `ratelimits/<queue>`.
    public static let rateLimits = "ratelimits"

    /// The index of deadlines: `deadlines/<YYYYMMDD>/<HHMM>/<deadline>.<id>`.
    public static let deadlines = "deadlines"

    /// The index of business keys: `keys/<shard>/<key name>+<id>`.
    public static let keys = "keys"

    /// `unique/<queue>`.
    public static func uniqueFolder(queue: String) -> String { "\(unique)/\(queue)" }

    /// The folders every spool has.
    public static let baseFolders = [
        tmp, incoming, scheduled, active, running, done, dead, rejected, ids, paused, cron, unique, keys, deadlines,
        rateLimits,
    ]

    /// `scheduled/<queue>/<YYYYMMDD>/<HHMM>`: the folder of tasks due in `due`'s minute.
    public static func scheduledFolder(queue: String, due: Timestamp) -> String {
        "\(scheduled)/\(queue)/\(due.dayFolderName)/\(due.minuteFolderName)"
    }

    /// `active/<queue>`.
    public static func activeFolder(queue: String) -> String {
        "\(active)/\(queue)"
    }

    /// `running/<queue>/<worker>`.
    public static func runningFolder(queue: String, worker: WorkerName) -> String {
        "\(running)/\(queue)/\(worker)"
    }

    /// `done/<queue>/<YYYYMMDDHH>` or `dead/<queue>/<YYYYMMDDHH>` for a task that may be deleted after
    /// `expiry`: the folder of the UTC hour in which its retention ends.
    public static func finishedFolder(_ state: String, queue: String, expiry: Timestamp) -> String {
        "\(state)/\(queue)/\(expiry.hourFolderName)"
    }

    /// When the tasks of the finished folder `name` (in `done/<queue>/` or `dead/<queue>/`) may be deleted:
    /// the end of its hour (`YYYYMMDDHH`), or of its day for a day folder (`YYYYMMDD`) that Spool wrote
    /// before retention was kept to the hour. `nil` for any other name.
    public static func finishedFolderEnd(_ name: String) -> Timestamp? {
        switch name.utf8.count {
        case 8:
            return Timestamp(dayFolder: name)?.adding(milliseconds: 86_400_000)
        case 10:
            let hour = name.suffix(2)
            guard hour.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return Timestamp(dayFolder: String(name.prefix(8)), minuteFolder: hour + "00")?
                .adding(milliseconds: 3_600_000)
        default:
            return nil
        }
    }
}

/// The name of a pending or running task file: `<due>.<id>.json`, the due time in Unix milliseconds
/// padded to 13 digits so that a plain sort is due order.
public struct TaskFileName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// When the task is due.
    public var due: Timestamp
    /// The task's id.
    public var id: String

    /// Creates a name.
    public init(due: Timestamp, id: String) {
        self.due = due
        self.id = id
    }

    /// Parses `<due>.<id>.json`; `nil` for any other name.
    public init?(_ name: String) {
        var name = name
        guard let parsed = name.withUTF8({ TaskFileName(utf8: $0) }) else { return nil }
        self = parsed
    }

    /// Parses the UTF-8 bytes of `<due>.<id>.json` (a directory entry's name, say); `nil` for any other name.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        guard let due = TaskFileName.dueMilliseconds(utf8: bytes), count - 19 <= 64, bytes[count - 5] == 0x2E,
            bytes[count - 4] == 0x6A, bytes[count - 3] == 0x73, bytes[count - 2] == 0x6F, bytes[count - 1] == 0x6E
        else { return nil }  // ".json"
        let id = UnsafeBufferPointer(rebasing: bytes[14..<(bytes.count - 5)])
        for byte in id where !(Names.isAlphanumeric(byte) || byte == 0x5F || byte == 0x2D) { return nil }
        self.init(due: Timestamp(milliseconds: due), id: String(decoding: id, as: UTF8.self))
    }

    /// The due time written in the first 13 bytes of a task file name, without checking the rest of the
    /// name: a cheap first look when most names of a listing are to be skipped.
    public static func dueMilliseconds(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard bytes.count > 19, bytes[13] == UInt8(ascii: ".") else { return nil }
        var milliseconds: Int64 = 0
        for byte in bytes[0..<13] {
            let digit = byte &- 48
            guard digit < 10 else { return nil }
            milliseconds = milliseconds * 10 + Int64(digit)
        }
        return milliseconds
    }

    /// Whether the name in `bytes`, due at `due` (as read by ``dueMilliseconds(utf8:)``), sorts after
    /// `other`, compared without building a name: a cheap look when most names of a listing are to be
    /// skipped.
    public static func sorts(utf8 bytes: UnsafeBufferPointer<UInt8>, due: Int64, after other: TaskFileName) -> Bool {
        if due != other.due.milliseconds { return due > other.due.milliseconds }
        guard bytes.count > 19 else { return false }
        // Ids are ASCII, so comparing their bytes is comparing them as strings.
        return other.id.utf8.lexicographicallyPrecedes(bytes[14..<(bytes.count - 5)])
    }

    public var description: String {
        // Held to 13 digits whatever the due time, so that the name always parses back.
        pad(min(max(due.milliseconds, 0), TaskRecord.latestDue.milliseconds), 13) + "." + id + ".json"
    }

    public static func < (lhs: TaskFileName, rhs: TaskFileName) -> Bool {
        (lhs.due, lhs.id) < (rhs.due, rhs.id)
    }
}
