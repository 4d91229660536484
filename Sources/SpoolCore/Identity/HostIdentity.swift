import SpoolSystem

/// The id of this host in worker names (`<host>.<pid>.<start>`), which must differ between the hosts that
/// share a spool and stay the same across restarts: a host's processes judge by it whether a worker ran
/// here, so that its pid can be checked, or on another host, whose leases only expire.
///
/// Taken from, in order: the environment variable `SPOOL_HOST_ID` (`spoold --host-id` sets it); the first
/// line of the file `/etc/spool/host-id`, kept outside the spool; the host name joined to the first eight
/// characters of `/etc/machine-id`, since clones and containers often share a host name; the host name.
/// Characters outside `[A-Za-z0-9-]` become `-`, and the id is cut to 60 bytes.
public enum HostIdentity {
    /// The environment variable that gives the host id.
    public static let variable = "SPOOL_HOST_ID"
    /// The file that gives the host id when the variable is not set.
    public static let file = "/etc/spool/host-id"

    /// This host's id.
    public static let current: String = {
        if let given = LocalProcess.environment(variable) { return sanitized(given) }
        if let line = firstLine(of: file) { return sanitized(line) }
        if let machine = firstLine(of: "/etc/machine-id"), machine.utf8.count >= 8 {
            return sanitized("\(LocalProcess.hostName.prefix(51))-\(machine.prefix(8))")
        }
        return sanitized(LocalProcess.hostName)
    }()

    /// `text` as a host id: characters outside `[A-Za-z0-9-]` replaced by `-`, at most 60 bytes, `host` if
    /// empty.
    public static func sanitized(_ text: String) -> String {
        let bytes = text.utf8.prefix(60).map { Names.isAlphanumeric($0) || $0 == 0x2D ? $0 : 0x2D }
        return bytes.isEmpty ? "host" : String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `text` is a host id as given: 1 to 60 characters of `[A-Za-z0-9-]`.
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 60 && text.utf8.allSatisfy { Names.isAlphanumeric($0) || $0 == 0x2D }
    }

    private static func firstLine(of path: String) -> String? {
        guard let bytes = LocalProcess.readSmallFile(path) else { return nil }
        let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }.drop { $0 == 0x20 || $0 == 0x09 }
        let text = String(decoding: line.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed(), as: UTF8.self)
        return text.isEmpty ? nil : text
    }
}
