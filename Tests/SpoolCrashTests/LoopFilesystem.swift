import SpoolSystem
import SpoolTestSupport
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A filesystem made in a sparse image file under the system's temporary folder, attached to a loop device
/// and mounted, whose power can be cut: ``cutPower()`` copies the image file while the filesystem is mounted,
/// without syncing it, so the copy holds only what the filesystem had written to its device. Mounting the copy
/// (``replaceWithCopy()``) is then what a machine finds after a power loss; ext4 and xfs replay their journal
/// or log, btrfs its log tree.
///
/// Needs root (loop devices, mount) and the filesystem's tools (`mkfs.ext4`, `mkfs.xfs`, `mkfs.btrfs`).
/// ``remove()`` unmounts, detaches and deletes everything, also after a failure.
final class LoopFilesystem: Sendable {
    /// The filesystems the power-loss tests run on.
    enum Kind: String, Sendable, CaseIterable {
        case ext4, xfs, btrfs

        /// The command that makes the filesystem in an image file, quietly and over anything there.
        var makeCommand: [String] {
            switch self {
            case .ext4: ["mkfs.ext4", "-q", "-F"]
            case .xfs: ["mkfs.xfs", "-q", "-f"]
            case .btrfs: ["mkfs.btrfs", "-q", "-f"]
            }
        }

        /// Mount options: a copy of a mounted xfs has the same UUID as the original, which xfs refuses to
        /// mount twice, and the original may still be known to the kernel.
        var mountOptions: [String] {
            self == .xfs ? ["-o", "nouuid"] : []
        }
    }

    let kind: Kind
    /// The folder holding the image, its copy and the mount point.
    let folder: String
    /// The loop device the image is attached to, while it is.
    private let device = Mutex<String?>(nil)

    var image: String { "\(folder)/image" }
    var copy: String { "\(folder)/image.cut" }
    var mountPoint: String { "\(folder)/mnt" }

    /// Makes a `megabytes` sparse image holding a new `kind` filesystem (xfs needs at least 300 MB, btrfs
    /// 114 MB); nothing is mounted yet.
    init(_ kind: Kind, megabytes: Int = 300) async throws {
        self.kind = kind
        folder = TemporarySpool("powerloss-\(kind.rawValue)").path
        try SpoolFiles.makeDirectory(mountPoint)
        let file = open(image, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard file >= 0, ftruncate(file, off_t(megabytes) << 20) == 0 else {
            let reason = String(cString: strerror(errno))
            if file >= 0 { close(file) }
            throw SpawnedProcessError(description: "make image \(image): \(reason)")
        }
        close(file)
        try await SystemTool.run(kind.makeCommand + [image])
    }

    /// Attaches the image to a free loop device and mounts it (replaying a journal or log left by a cut).
    func mount() async throws {
        let name = try await SystemTool.run(["losetup", "--find", "--show", image])
            .trimmingCharacters(while: { $0 == "\n" || $0 == " " })
        device.withLock { $0 = name }
        try await SystemTool.run(["mount"] + kind.mountOptions + [name, mountPoint])
    }

    /// Unmounts the filesystem (a clean unmount, which writes everything) and detaches the loop device.
    func unmount() async throws {
        try await SystemTool.run(["umount", mountPoint])
        if let name = device.withLock({ $0 }) {
            try await SystemTool.run(["losetup", "--detach", name])
            device.withLock { $0 = nil }
        }
    }

    /// The power cut: copies the image file while the filesystem is mounted, without syncing it first, so
    /// whatever the filesystem had not yet written to its device is missing from the copy.
    ///
    /// - Returns: The seconds the copy took.
    @discardableResult
    func cutPower() async throws -> Double {
        let start = monotonicSeconds()
        try await SystemTool.run(["cp", "--sparse=always", image, copy])
        return monotonicSeconds() - start
    }

    /// Unmounts the original and mounts the copy from ``cutPower()`` in its place: the machine after the
    /// power loss. Unmounting first keeps btrfs from seeing two devices with the same filesystem id.
    func replaceWithCopy() async throws {
        try await unmount()
        try SpoolFiles.rename(copy, to: image)
        try await mount()
    }

    /// Unmounts (lazily, should something still hold the mount), detaches the loop device and deletes the
    /// images. Synchronous, so that it can run in a `defer`; never throws.
    func remove() {
        if device.withLock({ $0 }) != nil {
            SystemTool.runQuietly(["umount", mountPoint])
            SystemTool.runQuietly(["umount", "--lazy", mountPoint])
        }
        if let name = device.withLock({ $0 }) {
            SystemTool.runQuietly(["losetup", "--detach", name])
            device.withLock { $0 = nil }
        }
        SpoolFiles.removeTree(folder)
    }
}

/// System commands (`mkfs.*`, `losetup`, `mount`, `cp`) run by the power-loss tests.
enum SystemTool {
    /// The folders searched for a command, in order: root's commands are not always on a test runner's `PATH`.
    static let folders = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]

    /// The full path of `name`, or `nil` if no folder has it.
    static func path(of name: String) -> String? {
        folders.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// Runs `command` (a name and its arguments) to the end; returns its standard output.
    ///
    /// - Throws: When the command is missing or exits with another status than 0.
    @discardableResult
    static func run(_ command: [String]) async throws -> String {
        let child = try start(command)
        let exit = await child.waitForExit()
        guard exit == .exited(0) else {
            throw SpawnedProcessError(
                description: "\(command.joined(separator: " ")) \(exit): \(child.output)\(child.errorOutput)"
            )
        }
        return child.output
    }

    /// Runs `command` to the end, ignoring how it ends: for clean-up.
    static func runQuietly(_ command: [String]) {
        guard let child = try? start(command) else { return }
        _ = child.wait()
    }

    private static func start(_ command: [String]) throws -> ChildProcess {
        guard let path = path(of: command[0]) else {
            throw SpawnedProcessError(
                description:
                    "\(command[0]) not found in \(folders.joined(separator: ", ")); `make test-deps` installs it"
            )
        }
        return try ChildProcess(path, Array(command.dropFirst()))
    }
}

extension String {
    /// The string without leading and trailing characters that match `predicate`.
    func trimmingCharacters(while predicate: (Character) -> Bool) -> String {
        String(drop(while: predicate).reversed().drop(while: predicate).reversed())
    }
}
