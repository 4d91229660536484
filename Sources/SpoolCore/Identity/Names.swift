/// The rules for names that become path components. Nothing outside these rules is ever used as a path.
public enum Names {
    /// Whether `id` is a valid task id: `[A-Za-z0-9_-]{1,64}`.
    public static func isValidTaskID(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { bytes in
            (1...64).contains(bytes.count) && bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2D }
        }
    }

    /// Whether `name` is a valid queue name: `[a-z0-9_-]{1,64}`.
    public static func isValidQueueName(_ name: String) -> Bool {
        let bytes = name.utf8
        return (1...64).contains(bytes.count)
            && bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }
    }

    /// Whether `name` is a valid worker folder name: `[A-Za-z0-9._-]{1,128}`, not starting with a dot.
    public static func isValidWorkerName(_ name: String) -> Bool {
        let bytes = name.utf8
        return (1...128).contains(bytes.count) && bytes.first != 0x2E
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
