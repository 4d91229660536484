import SpoolCore

/// The exit statuses of `spoolctl`, the same for every command (`fsck` adds 1 and 4, as fsck(8) does).
enum ExitStatus {
    /// A failure of no other kind, or several of different kinds (some of many tasks could not be acted on).
    static let failure: Int32 = 1
    /// The task, key, entry or file named does not exist.
    static let notFound: Int32 = 2
    /// The id or unique key is taken, or the task is not in a state the command applies to.
    static let conflict: Int32 = 3
    /// The command line is not valid.
    static let usage: Int32 = 64
    /// The input is not valid: a task, or a value the spool refuses (a snapshot folder inside it, say).
    static let invalidInput: Int32 = 65
    /// The path is not a spool.
    static let notASpool: Int32 = 66
    /// Reading or writing the spool failed: permissions, a full disk, a read-only filesystem.
    static let ioError: Int32 = 74
    /// Not yet: the task has not finished, or a lock was not had in time. Trying again later may work.
    static let notYet: Int32 = 75

    /// The status for a failure of `code`.
    static func of(_ code: SpoolError.Code) -> Int32 {
        switch code {
        case .notFound: notFound
        case .alreadyExists, .wrongState, .leaseLost: conflict
        case .invalidArgument, .corruptRecord: invalidInput
        case .notASpool: notASpool
        case .io, .noSpace, .permissionDenied, .readOnly, .unsupported: ioError
        case .timedOut: notYet
        default: failure
        }
    }

    /// The status for the failures of a command that acted on several things: theirs when they are all of
    /// one kind, else ``failure``.
    static func combined(_ statuses: some Collection<Int32>) -> Int32 {
        guard let first = statuses.first else { return 0 }
        return statuses.allSatisfy { $0 == first } ? first : failure
    }

    /// The text for `--help`.
    static let table = """
        Exit status: 0 success; 1 failure (or failures of several kinds); 2 not found; 3 conflict (id or \
        unique key taken, or the task's state does not allow it); 64 invalid arguments; 65 invalid input; \
        66 not a spool; 74 I/O error (permissions, disk full, read-only); 75 not yet (result: not finished; \
        a lock not had in time). fsck: 1 problems repaired, 4 problems left.
        """
}
