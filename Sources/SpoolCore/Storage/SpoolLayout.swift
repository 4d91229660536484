/// The names of a spool's folders and files: the on-disk contract of `docs/FORMAT.md`, format version 1.
public enum SpoolLayout {
    /// The on-disk format version this code reads and writes.
    public static let formatVersion = 1

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
    /// Succeeded tasks, one folder per deletion day.
    public static let done = "done"
    /// Tasks that gave up, one folder per deletion day.
    public static let dead = "dead"
    /// Drops that could not be read, each with a `.reason`.
    public static let rejected = "rejected"
    /// Reservations of producer-given ids.
    public static let ids = "ids"
    /// One marker file per paused queue, named after the queue.
    public static let paused = "paused"

    /// The folders every spool has.
    public static let baseFolders = [tmp, incoming, scheduled, active, running, done, dead, rejected, ids, paused]

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

    /// `done/<queue>/<YYYYMMDD>` or `dead/<queue>/<YYYYMMDD>` for a task that may be deleted after `expiry`.
    public static func finishedFolder(_ state: String, queue: String, expiry: Timestamp) -> String {
        "\(state)/\(queue)/\(expiry.dayFolderName)"
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
        let bytes = Array(name.utf8)
        guard bytes.count > 19, bytes[13] == UInt8(ascii: "."), name.hasSuffix(".json"),
            bytes[0..<13].allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let millis = Int64(String(decoding: bytes[0..<13], as: UTF8.self))
        else { return nil }
        let id = String(decoding: bytes[14..<(bytes.count - 5)], as: UTF8.self)
        guard Names.isValidTaskID(id) else { return nil }
        self.init(due: Timestamp(milliseconds: millis), id: id)
    }

    public var description: String {
        pad(max(due.milliseconds, 0), 13) + "." + id + ".json"
    }

    public static func < (lhs: TaskFileName, rhs: TaskFileName) -> Bool {
        (lhs.due, lhs.id) < (rhs.due, rhs.id)
    }
}
