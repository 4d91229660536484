import SpoolSystem
import SystemPackage

/// Small file helpers for tests, on real paths.
public enum SpoolFiles {
    /// The names in the directory `path`, sorted; empty if it does not exist.
    public static func names(_ path: String) -> [String] {
        ((try? Syscall.entries(in: path)) ?? []).map(\.name).sorted()
    }

    /// Every file below the spool `root` but its `format` stamp and the lock files of `unique/`: what
    /// operations left in it.
    public static func contents(ofSpool root: String) -> [String] {
        files(under: root).filter { $0 != "format" && !($0.hasPrefix("unique/") && $0.hasSuffix("/.lock")) }
    }

    /// The text of the symbolic link at `path`, or `nil` if there is none.
    public static func readLink(_ path: String) -> String? {
        try? Syscall.readSymbolicLink(path, in: .currentWorkingDirectory)
    }

    /// Creates the folder at `path` and any missing parent.
    public static func makeFolder(_ path: String) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/\(component)"
            try? Syscall.makeDirectory(partial, in: .currentWorkingDirectory)
        }
    }

    /// Every regular file below `path`, as paths relative to it, sorted.
    public static func files(under path: String) -> [String] {
        var result: [String] = []
        func walk(_ relative: String) {
            let full = relative.isEmpty ? path : "\(path)/\(relative)"
            for entry in (try? Syscall.entries(in: full)) ?? [] {
                let child = relative.isEmpty ? entry.name : "\(relative)/\(entry.name)"
                if entry.kind == .directory { walk(child) } else { result.append(child) }
            }
        }
        walk("")
        return result.sorted()
    }

    /// The bytes of the file at `path`.
    public static func read(_ path: String) throws -> [UInt8] {
        let file = try FileDescriptor.open(path, .readOnly)
        return try file.closeAfter { (file) throws(Errno) in try file.readAll(limit: 1 << 26).bytes }
    }

    /// Writes `bytes` to a new file at `path`, replacing any.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let file = try FileDescriptor.open(
            path,
            .writeOnly,
            options: [.create, .truncate],
            permissions: [.ownerReadWrite, .groupRead, .otherRead]
        )
        try file.closeAfter { (file) throws(Errno) in try file.writeAll(bytes) }
    }

    /// Writes `text` to a new file at `path`.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Renames `from` to `to` (both absolute or relative to the working directory).
    public static func rename(_ from: String, to: String) throws {
        try Syscall.rename(from, in: .currentWorkingDirectory, to: to, in: .currentWorkingDirectory)
    }

    /// Creates a directory.
    public static func makeDirectory(_ path: String) throws {
        try Syscall.makeDirectory(path, in: .currentWorkingDirectory)
    }

    /// Removes `path` and everything below it, never following symbolic links.
    public static func removeTree(_ path: String) {
        Syscall.removeTree(path)
    }
}
