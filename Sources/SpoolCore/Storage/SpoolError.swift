import SpoolSystem
public import SystemPackage

/// An error from a spool operation: what kind, a one-line message naming the operation and path, and the
/// system error behind it.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; new kinds may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The task or file does not exist (or no longer does: another worker moved it).
        public static let notFound = Code("not found")
        /// The id or name is already in use.
        public static let alreadyExists = Code("already exists")
        /// A task file could not be parsed.
        public static let corruptRecord = Code("corrupt record")
        /// The lease on a claimed task was lost: the janitor or another process moved it.
        public static let leaseLost = Code("lease lost")
        /// The filesystem is full.
        public static let noSpace = Code("no space")
        /// The spool's permissions do not allow the operation.
        public static let permissionDenied = Code("permission denied")
        /// The filesystem does not support what was asked.
        public static let unsupported = Code("unsupported")
        /// An argument was not valid.
        public static let invalidArgument = Code("invalid argument")
        /// Any other input/output error.
        public static let io = Code("i/o error")
        /// The path is not a spool: it does not exist, or is not a directory holding `active/` and
        /// `scheduled/`.
        public static let notASpool = Code("not a spool")
        /// The task is not in a state the operation applies to (cancelling a finished task, say).
        public static let wrongState = Code("wrong state")
        /// The spool was opened to read only (``SpoolAccess/readOnly``) and the operation would change it.
        public static let readOnly = Code("read-only")
        /// Waited longer than allowed (for a lock, say).
        public static let timedOut = Code("timed out")
    }

    /// The kind of failure.
    public var code: Code
    /// One line saying what failed.
    public var message: String
    /// The system error behind it, if any.
    public var cause: Errno?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: Errno? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message): \(cause)" }
        return message
    }

    /// Maps a failed system call to an error, once, naming the operation and the path.
    public init(_ errno: Errno, _ operation: String, _ path: String) {
        let code: Code
        switch errno {
        case .noSuchFileOrDirectory: code = .notFound
        case .fileExists, .directoryNotEmpty: code = .alreadyExists
        case .noSpace, .diskQuotaExceeded: code = .noSpace
        case .permissionDenied, .notPermitted, .readOnlyFileSystem: code = .permissionDenied
        case .notSupported, .noFunction: code = .unsupported
        case .invalidArgument, .tooManySymbolicLinkLevels, .fileNameTooLong: code = .invalidArgument
        default: code = .io
        }
        self.init(code, "\(operation) \(path)", cause: errno)
    }
}
